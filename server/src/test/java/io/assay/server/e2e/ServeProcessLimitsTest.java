package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Json;
import io.assay.protocol.api.EnrollResponse;
import io.assay.server.DatabaseConfig;
import io.assay.server.RawHttp;
import io.assay.server.TestHost;
import io.assay.server.auth.Tokens;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector as operators run it (its own process, the shipped {@code jvm.options}) under all
 * of issue 7's attacks at once: silent connections, trickled uploads, a connection flood,
 * oversized headers and bodies. An auditor and another host are still answered, and the
 * process's RSS, sampled throughout, stays under the bound the flags promise.
 */
class ServeProcessLimitsTest {
    static final Path JVM_OPTIONS = Path.of("src/main/dist/jvm.options").toAbsolutePath();
    /** 256 MiB heap + metaspace, code cache, direct buffers and thread stacks, with room. */
    static final long RSS_BOUND_KB = 450L * 1024;

    @TempDir Path tmp;

    @Test
    void answersAndStaysUnderItsMemoryBoundWhileAttacked() throws Exception {
        Path db = tmp.resolve("assay.db");
        String enroll;
        String auditor;
        try (Store store = new DatabaseConfig.Sqlite(db).open(Duration.ofSeconds(5), 1)) {
            Tokens tokens = new Tokens(new SecureRandom());
            enroll = store.inTransaction(tx -> tokens.issue(tx, Role.ENROLL, Optional.empty(), "e2e", Instant.now()));
            auditor = store.inTransaction(tx -> tokens.issue(tx, Role.AUDITOR, Optional.empty(), "e2e", Instant.now()));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String line : Files.readAllLines(JVM_OPTIONS)) {
            if (!line.isBlank() && !line.strip().startsWith("#")) cmd.add(line.strip());
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.assay.server.cli.ServerMain", "serve",
                "--listen", "127.0.0.1:" + port, "--db", db.toString(), "--body-timeout", "20s", "--max-connections", "256"));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("server.log").toFile()).start();
        List<Socket> sockets = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && server.isAlive()) {
                maxRss.accumulateAndGet(rssKb(server.pid()), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            awaitHealthy(http, url, server);
            sampler.start();
            List<TestHost> hosts = new ArrayList<>();
            List<String> hostTokens = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                TestHost h = new TestHost("proc-" + i, "uuid-proc-" + i);
                EnrollResponse r = Json.fromJson(post(http, url.resolve("/api/v1/enroll"), enroll,
                        Json.toJson(h.enrollRequest(enroll, System.currentTimeMillis())).getBytes(StandardCharsets.UTF_8)).body(), EnrollResponse.class);
                h.withHostId(r.hostId());
                hosts.add(h);
                hostTokens.add(r.hostToken());
            }
            for (int i = 0; i < 64; i++) {
                Socket s = new Socket("127.0.0.1", port);
                sockets.add(s);
                s.getOutputStream().write("POST /api/v1/rep".getBytes(StandardCharsets.US_ASCII));
            }
            List<OutputStream> trickles = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] body = TestHost.batch(hosts.get(i).next()).getBytes(StandardCharsets.UTF_8);
                Socket s = new Socket("127.0.0.1", port);
                sockets.add(s);
                s.getOutputStream().write(("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + hostTokens.get(i) + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                trickles.add(s.getOutputStream());
            }
            // Oversized headers and bodies, a few at a time, and a flood of silent connections.
            for (int i = 0; i < 100; i++) {
                RawHttp.Answer a = RawHttp.exchange(url, "GET /api/v1/hosts HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(20_000)
                        + "\r\nConnection: close\r\n\r\n");
                assertThat(a.status()).isIn(0, 431);
            }
            byte[] big = new byte[8 * 1024 * 1024];
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = post(http, url.resolve("/api/v1/reports"), hostTokens.get(8), big);
                assertThat(r.statusCode()).isEqualTo(413);
            }
            for (int i = 0; i < 300; i++) sockets.add(new Socket("127.0.0.1", port));

            TestHost other = hosts.get(8);
            CompletableFuture<HttpResponse<String>> upload = CompletableFuture.supplyAsync(() -> post(http,
                    url.resolve("/api/v1/reports"), hostTokens.get(8), TestHost.batch(other.next()).getBytes(StandardCharsets.UTF_8)));
            CompletableFuture<HttpResponse<String>> audit = CompletableFuture.supplyAsync(() -> get(http,
                    url.resolve("/api/v1/hosts"), auditor));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(upload.isDone() && audit.isDone()) && System.nanoTime() < deadline) {
                for (OutputStream t : trickles) {
                    try {
                        t.write('[');
                        t.flush();
                    } catch (IOException closedByTheCollector) {
                        // after the body time-out the collector answers 408 and closes; fine
                    }
                }
                Thread.sleep(200);
            }
            assertThat(upload.get(1, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(audit.get(1, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(server.isAlive()).isTrue();
            assertThat(maxRss.get()).as("peak RSS in kB; log:\n%s", Files.readString(tmp.resolve("server.log")))
                    .isPositive().isLessThan(RSS_BOUND_KB);
        } finally {
            sampler.interrupt();
            for (Socket s : sockets) s.close();
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    private static void awaitHealthy(HttpClient http, URI url, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) throw new AssertionError("serve exited with " + server.exitValue());
            try {
                if (get(http, url.resolve("/healthz"), "").statusCode() == 200) return;
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("serve did not answer /healthz within 60 s");
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, String token) {
        return send(http, HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET());
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String token, byte[] body) {
        return send(http, HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder b) {
        try {
            return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended between two samples
        }
        return 0;
    }
}
