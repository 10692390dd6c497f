package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Json;
import io.assay.protocol.api.Problem;
import io.assay.server.RawHttp;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.assay.server.store.StoredReport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front under the attacks of issue 7: silent and half-open connections, trickled bodies,
 * oversized headers, bodies that stop half-way, connection floods. Each test proves the
 * collector still answers others while the attack goes on; "still answers" is judged against
 * time-outs set far longer (60 s) than the answer is allowed to take (10 s), so a collector that
 * waited for the attack to time out would fail, while a loaded CI machine does not.
 */
class FrontLimitsTest {
    /** Far below the attack's time-outs; generous for a loaded machine. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestCollector server;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (server != null) server.close();
    }

    private void start(UnaryOperator<io.assay.server.ServerConfig.Builder> customize) {
        server = TestCollector.start(dir, Clock.systemUTC(), customize);
    }

    private Socket open() throws IOException {
        Socket s = RawHttp.connect(server.url());
        sockets.add(s);
        return s;
    }

    @Test
    void sixtyFourHalfOpenConnectionsDoNotStopAnAuditorOrAnUpload() throws Exception {
        start(b -> b.idleTimeout(Duration.ofSeconds(60)));
        TestHost host = TestHost.enrolledAt(server, "web-1");
        for (int i = 0; i < 64; i++) {
            Socket s = open();
            s.getOutputStream().write("GET /api/v1/ho".getBytes(StandardCharsets.US_ASCII)); // and nothing more
            s.getOutputStream().flush();
        }

        assertThat(within(() -> server.get("/api/v1/hosts", server.auditorToken())).statusCode()).isEqualTo(200);
        assertThat(within(() -> host.upload(server, host.next())).statusCode()).isEqualTo(200);
    }

    @Test
    void eightHostsTricklingTheirUploadsDoNotStopAnotherHostOrAnAuditor() throws Exception {
        start(b -> b.idleTimeout(Duration.ofSeconds(60)).bodyTimeout(Duration.ofSeconds(60)));
        List<OutputStream> trickles = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TestHost slow = TestHost.enrolledAt(server, "slow-" + i);
            byte[] body = TestHost.batch(slow.next()).getBytes(StandardCharsets.UTF_8);
            Socket s = open();
            OutputStream out = s.getOutputStream();
            out.write(uploadHead(slow.token(), body.length));
            out.write(body, 0, 10);
            out.flush();
            trickles.add(out);
        }
        TestHost other = TestHost.enrolledAt(server, "web-1");
        // Keep trickling, one byte per connection, while the others are answered.
        CompletableFuture<HttpResponse<String>> upload = CompletableFuture.supplyAsync(() -> other.upload(server, other.next()));
        CompletableFuture<HttpResponse<String>> audit =
                CompletableFuture.supplyAsync(() -> server.get("/api/v1/hosts", server.auditorToken()));
        long deadline = System.nanoTime() + ANSWER_BOUND.toNanos();
        while (!(upload.isDone() && audit.isDone()) && System.nanoTime() < deadline) {
            for (OutputStream out : trickles) {
                out.write('[');
                out.flush();
            }
            Thread.sleep(100);
        }
        assertThat(upload).isDone();
        assertThat(audit).isDone();
        assertThat(upload.get().statusCode()).isEqualTo(200);
        assertThat(audit.get().statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyThatStopsHalfWayGets408AndNothingIsStored() throws Exception {
        start(b -> b.bodyTimeout(Duration.ofSeconds(2)).idleTimeout(Duration.ofSeconds(60)));
        TestHost host = TestHost.enrolledAt(server, "web-1");
        byte[] body = TestHost.batch(host.next()).getBytes(StandardCharsets.UTF_8);
        Socket s = open();
        s.getOutputStream().write(uploadHead(host.token(), body.length));
        s.getOutputStream().write(body, 0, body.length / 2);
        s.getOutputStream().flush();

        RawHttp.Answer a = RawHttp.read(s.getInputStream());

        assertThat(a.status()).isEqualTo(408);
        assertProblem(a, "timeout");
        assertThat(RawHttp.closedByPeer(s)).isTrue();
        Optional<StoredReport> stored = server.collector().store().read(tx -> tx.findReport(host.hostId(), 1));
        assertThat(stored).isEmpty();
        assertThat(server.collector().store().read(tx -> tx.findHost(host.hostId())).orElseThrow().lastSeq()).isZero();
    }

    @Test
    void anOversizedHeaderGets431ProblemJson() throws Exception {
        start(b -> b);
        String huge = "x".repeat(16 * 1024);

        RawHttp.Answer a = RawHttp.exchange(server.url(), "GET /api/v1/hosts HTTP/1.1\r\nHost: x\r\nX-Filler: " + huge
                + "\r\nConnection: close\r\n\r\n");

        assertThat(a.status()).isEqualTo(431);
        assertProblem(a, "headers-too-large");
    }

    @Test
    void aConnectionFloodIsCutOffAndAnAuditorGetsIn() throws Exception {
        start(b -> b.maxConnections(32).idleTimeout(Duration.ofSeconds(5)));
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < 100; i++) flood.add(open());

        HttpResponse<String> r = within(() -> server.get("/api/v1/hosts", server.auditorToken()), Duration.ofSeconds(30));

        assertThat(r.statusCode()).isEqualTo(200);
        // Every flooding connection is closed by the collector in bounded time (none is kept forever).
        for (Socket s : flood) {
            s.setSoTimeout(30_000);
            assertThat(RawHttp.closedByPeer(s)).isTrue();
        }
    }

    @Test
    void jettysOwnRefusalsAreProblemJsonNotHtml() throws Exception {
        start(b -> b);
        String auth = "Authorization: Bearer " + server.auditorToken() + "\r\n";
        for (String path : List.of("/api/v1/hosts/%zz", "/api/v1/%", "/api/v1/hosts/a%2Fb", "/api/v1/hosts?limit=%zz")) {
            RawHttp.Answer a = RawHttp.exchange(server.url(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + auth
                    + "Connection: close\r\n\r\n");
            assertThat(a.status()).as(path).isBetween(400, 499);
            assertProblem(a, null);
        }
        RawHttp.Answer notFound = RawHttp.exchange(server.url(), "GET /nothing/here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(notFound.status()).isEqualTo(404);
        assertProblem(notFound, "not-found");
        RawHttp.Answer wrongMethod = RawHttp.exchange(server.url(), "DELETE /api/v1/hosts HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).isEqualTo("GET, HEAD");
        assertProblem(wrongMethod, "method-not-allowed");
        RawHttp.Answer badRequestLine = RawHttp.exchange(server.url(), "GARBAGE\r\n\r\n");
        assertThat(badRequestLine.status()).isEqualTo(400);
        assertProblem(badRequestLine, null);
    }

    @Test
    void headAndOptionsAreAnsweredWithoutABody() throws Exception {
        start(b -> b);
        RawHttp.Answer head = RawHttp.exchange(server.url(), "HEAD /api/v1/hosts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + server.auditorToken() + "\r\nConnection: close\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        RawHttp.Answer options = RawHttp.exchange(server.url(), "OPTIONS /api/v1/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(options.status()).isEqualTo(204);
        assertThat(options.header("Allow")).isEqualTo("POST, OPTIONS");
        RawHttp.Answer anyPath = RawHttp.exchange(server.url(), "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(anyPath.status()).isBetween(200, 499);
    }

    @Test
    void aKeptAliveConnectionServesTheNextRequestAfterARefusal() throws Exception {
        start(b -> b);
        Socket s = open();
        String body = "{\"reports\":[]}";
        s.getOutputStream().write(("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        RawHttp.Answer refused = RawHttp.read(s.getInputStream());
        assertThat(refused.status()).isEqualTo(401);

        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        RawHttp.Answer next = RawHttp.read(s.getInputStream());
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("ok");
    }

    private static byte[] uploadHead(String token, int length) {
        return ("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The answer's body is problem JSON (not HTML, no stack trace), of {@code type} when given. */
    static void assertProblem(RawHttp.Answer a, String type) {
        assertThat(a.header("Content-Type")).startsWith("application/problem+json");
        assertThat(a.body()).doesNotContain("<html", "<HTML", "at org.", "at io.", "Exception");
        Problem p = Json.fromJson(a.body(), Problem.class);
        assertThat(p.status()).isEqualTo(a.status());
        if (type != null) assertThat(p.type()).isEqualTo(type);
    }

    private static <T> T within(java.util.function.Supplier<T> call) throws Exception {
        return within(call, ANSWER_BOUND);
    }

    private static <T> T within(java.util.function.Supplier<T> call, Duration bound) throws Exception {
        return CompletableFuture.supplyAsync(call).get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

}
