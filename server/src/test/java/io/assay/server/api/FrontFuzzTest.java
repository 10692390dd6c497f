package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Json;
import io.assay.protocol.Verdict;
import io.assay.server.RawHttp;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.server.store.HostRecord;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated requests at a live collector: envelopes, batches, enrollment requests,
 * headers, paths and query strings. Whatever arrives, the answer is never a 5xx, never HTML or a
 * stack trace, always problem JSON when it is a refusal; a refused upload or enrollment stores
 * nothing; and the collector still answers afterwards.
 *
 * <p>CI runs {@code jqwik.tries.default} cases per property (junit-platform.properties); a longer
 * run: {@code mvn -pl server -am verify -Dtest=FrontFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djqwik.tries.default=20000}.
 */
class FrontFuzzTest {
    private static final Pattern STACK_FRAME = Pattern.compile("\\bat [a-zA-Z_$][\\w$]*(\\.[\\w$]+)+\\(");
    private static final List<String> PATHS = List.of("/api/v1/enroll", "/api/v1/reports", "/api/v1/hosts",
            "/api/v1/hosts/{id}", "/api/v1/hosts/{id}/reports", "/api/v1/reports/{id}/{seq}", "/healthz", "/");

    private static Path dir;
    private static TestCollector server;
    private static TestHost host;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("assay-fuzz");
        server = TestCollector.start(dir, Clock.systemUTC(), b -> b.bodyTimeout(Duration.ofSeconds(5)));
        host = TestHost.enrolledAt(server, "fuzz-1");
    }

    @AfterContainer
    static void stop() throws IOException {
        try {
            // Still alive and answering after everything.
            assertThat(server.getWithoutToken("/healthz").statusCode()).isEqualTo(200);
        } finally {
            server.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Property
    void anyRequestGetsABoundedWellFormedAnswer(@ForAll("methods") String method, @ForAll("paths") String path,
            @ForAll("queries") String query, @ForAll("headers") Map<String, String> headers,
            @ForAll("tokens") String token, @ForAll("bodies") String body) throws IOException {
        long reportsBefore = reportCount();
        RawHttp.Answer a = send(method, path + query, headers, token, body.getBytes(StandardCharsets.UTF_8));

        assertWellFormed(a);
        if (a.status() != 200) assertThat(reportCount()).isEqualTo(reportsBefore);
    }

    @Property
    void mutatedBatchesOfARealHostAreStoredOnlyWhenAccepted(@ForAll("mutations") List<Mutation> mutations,
            @ForAll("verdicts") Verdict verdict) throws IOException {
        HostRecord before = server.collector().store().read(tx -> tx.findHost(host.hostId())).orElseThrow();
        SignedReport next = host.sealed(before.lastSeq() + 1, before.lastHash(), verdict);
        byte[] body = mutate(TestHost.batch(next), mutations).getBytes(StandardCharsets.UTF_8);

        RawHttp.Answer a = send("POST", "/api/v1/reports", Map.of("Content-Type", "application/json"), host.token(), body);

        assertWellFormed(a);
        HostRecord after = server.collector().store().read(tx -> tx.findHost(host.hostId())).orElseThrow();
        if (a.status() == 200) {
            assertThat(after.lastSeq()).isIn(before.lastSeq(), before.lastSeq() + 1); // an empty batch is fine too
        } else {
            assertThat(after.lastSeq()).isEqualTo(before.lastSeq());
            assertThat(after.lastHash()).isEqualTo(before.lastHash());
        }
    }

    @Property
    void mutatedEnrollmentsEnrollNobodyWhenRefused(@ForAll("mutations") List<Mutation> mutations,
            @ForAll("hostnames") String hostname) throws IOException {
        TestHost fresh = new TestHost(hostname, "uuid-" + hostname.hashCode());
        String valid = Json.toJson(fresh.enrollRequest());
        int hostsBefore = hostCount();

        RawHttp.Answer a = send("POST", "/api/v1/enroll", Map.of("Content-Type", "application/json"),
                server.enrollToken(), mutate(valid, mutations).getBytes(StandardCharsets.UTF_8));

        assertWellFormed(a);
        if (a.status() != 200) assertThat(hostCount()).isEqualTo(hostsBefore);
    }

    // --- generators ---

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.oneOf(Arbitraries.of("GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12));
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("h-0123456789abcdef", "1", "0", "-1", "99999999999999999999", "..", ".", "%2e%2e",
                        "%2F", "%zz", "%", "%00", "%C3%A9", "é", "reports", "hosts", " ", "a b", ";x=1", "\u0000"),
                Arbitraries.strings().ofMaxLength(40).excludeChars('\r', '\n'),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(300).ofMaxLength(3000));
        Arbitrary<String> known = Combinators.combine(Arbitraries.of(PATHS), segment, segment)
                .as((p, a, b) -> p.replaceFirst("\\{[a-z]+}", a).replaceFirst("\\{[a-z]+}", b));
        Arbitrary<String> raw = Arbitraries.strings().ofMaxLength(200).excludeChars('\r', '\n').map(s -> "/" + s);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, known), net.jqwik.api.Tuple.of(2, raw),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("*", "http://x/api/v1/hosts", "", "//", "/api/v1/hosts/")));
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> key = Arbitraries.of("from", "to", "limit", "after", "x", "", "limit[]", "%zz");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("0", "-1", "1001", "1", "2025-01-01T00:00:00Z",
                "9999999999999999999", "%", "%zz", "%FF%FE", "a=b", "", "NaN"), Arbitraries.strings().ofMaxLength(30)
                .excludeChars('\r', '\n', ' ', '#'));
        Arbitrary<String> pair = Combinators.combine(key, value).as((k, v) -> k + "=" + v);
        return pair.list().ofMaxSize(4).map(l -> l.isEmpty() ? "" : "?" + String.join("&", l));
    }

    @Provide
    Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("Content-Type", "Transfer-Encoding", "Expect",
                "Content-Encoding", "Connection", "Host", "X-Forwarded-For", "Authorization", "Accept"),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMinLength(1).ofMaxLength(20));
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("application/json", "text/html", "gzip", "chunked",
                "100-continue", "keep-alive", "", "Bearer", "Bearer  ", "Basic Zm9vOmJhcg=="),
                Arbitraries.strings().ofMaxLength(100).excludeChars('\r', '\n'));
        return Arbitraries.maps(name, value).ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of("wrong", "assay_host_0000", "x".repeat(500)),
                Arbitraries.just("AUDITOR"), Arbitraries.just("HOST"), Arbitraries.just("ENROLL"));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> validish = Arbitraries.of("batch", "enroll").flatMap(kind -> mutations().map(m -> {
            String base = kind.equals("batch") ? TestHost.batch(host.sealed(1, "", Verdict.CLEAN))
                    : Json.toJson(new TestHost("fz", "uuid-fz").enrollRequest());
            return mutate(base, m);
        }));
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.strings().ofMaxLength(300), validish,
                Arbitraries.of("{}", "[]", "null", "{\"reports\":null}", "{\"reports\":[{}]}", "{\"reports\":[null]}",
                        "{\"identity\":{}}", "\"" + "a".repeat(5000) + "\"", "{\"reports\":" + "[".repeat(2000) + "}"));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Mutation.Kind.values()),
                Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(1, 40),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(8)).as(Mutation::new);
        return one.list().ofMinSize(0).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Verdict> verdicts() {
        return Arbitraries.of(Verdict.values());
    }

    @Provide
    Arbitrary<String> hostnames() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.').ofMinLength(1).ofMaxLength(60);
    }

    /** One edit of a valid body: at a relative position, delete, insert, replace, duplicate or cut. */
    record Mutation(Kind kind, double at, int length, String text) {
        enum Kind { DELETE, INSERT, REPLACE, DUPLICATE, TRUNCATE, NONE }

        String apply(String s) {
            if (s.isEmpty()) return text;
            int i = (int) (at * (s.length() - 1));
            int j = Math.min(s.length(), i + length);
            return switch (kind) {
                case DELETE -> s.substring(0, i) + s.substring(j);
                case INSERT -> s.substring(0, i) + text + s.substring(i);
                case REPLACE -> s.substring(0, i) + text + s.substring(j);
                case DUPLICATE -> s.substring(0, j) + s.substring(i);
                case TRUNCATE -> s.substring(0, i);
                case NONE -> s;
            };
        }
    }

    private static String mutate(String s, List<Mutation> mutations) {
        for (Mutation m : mutations) s = m.apply(s);
        return s;
    }

    // --- sending and checking ---

    private static RawHttp.Answer send(String method, String target, Map<String, String> headers, String token,
            byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        String bearer = switch (token) {
            case "AUDITOR" -> server.auditorToken();
            case "HOST" -> host.token();
            case "ENROLL" -> server.enrollToken();
            default -> token;
        };
        if (!bearer.isEmpty()) head.append("Authorization: Bearer ").append(bearer).append("\r\n");
        headers.forEach((k, v) -> {
            // Framing headers would make the collector wait for bytes we never send; the limits
            // tests cover that. Here every request is complete.
            if (!k.equalsIgnoreCase("Transfer-Encoding") && !k.equalsIgnoreCase("Content-Length")
                    && !k.equalsIgnoreCase("Expect") && !k.equalsIgnoreCase("Connection")) {
                head.append(k).append(": ").append(v).append("\r\n");
            }
        });
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        try (Socket s = RawHttp.connect(server.url())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            return RawHttp.read(s.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 15 s to " + method + " " + target, e);
        }
    }

    private static void assertWellFormed(RawHttp.Answer a) {
        if (a.status() == 0) return; // closed without an answer: a bounded outcome
        assertThat(a.status()).as(a.body()).isBetween(100, 499);
        assertThat(a.body()).doesNotContain("<html", "<HTML", "<!DOCTYPE");
        assertThat(STACK_FRAME.matcher(a.body()).find()).as(a.body()).isFalse();
        if (a.status() >= 400 && !a.body().isEmpty()) {
            assertThat(a.header("Content-Type")).startsWith("application/problem+json");
        }
    }

    private static long reportCount() {
        return server.collector().store().read(tx -> tx.listHosts("", 1000)).stream().mapToLong(HostRecord::lastSeq).sum();
    }

    private static int hostCount() {
        return server.collector().store().read(tx -> tx.listHosts("", 1000)).size();
    }
}
