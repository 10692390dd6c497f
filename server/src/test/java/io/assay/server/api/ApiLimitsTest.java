package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Json;
import io.assay.protocol.api.Problem;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiLimitsTest {
    @TempDir
    java.nio.file.Path dir;

    TestCollector server;
    TestHost host;

    @BeforeEach
    void start() {
        server = TestCollector.start(dir, Clock.systemUTC(),
                b -> b.maxIngestInFlight(1).dbBusyTimeout(java.time.Duration.ofSeconds(60)));
        host = TestHost.enrolledAt(server, "web-1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void tenMegabyteBodyIsTooLarge() {
        byte[] body = new byte[10 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');

        HttpResponse<String> r = server.post("/api/v1/reports", host.token(), body);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("too-large");
        // The collector still works afterwards.
        assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
    }

    @Test
    void nonJsonIsMalformed() {
        HttpResponse<String> r = server.post("/api/v1/reports", host.token(), "this is not json");

        assertThat(r.statusCode()).isEqualTo(400);
        Problem p = Json.fromJson(r.body(), Problem.class);
        assertThat(p.type()).isEqualTo("malformed");
        assertThat(p.status()).isEqualTo(400);
    }

    @Test
    void enrollmentWithMissingFieldsIsMalformed() {
        HttpResponse<String> r = server.post("/api/v1/enroll", server.enrollToken(), "{\"publicKey\":\"AAAA\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("malformed");
    }

    @Test
    void healthzNeedsNoTokenAndSaysOk() {
        HttpResponse<String> r = server.getWithoutToken("/healthz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        assertThat(server.get("/api/v1/nothing", server.adminToken()).statusCode()).isEqualTo(404);
        HttpResponse<String> r = server.get("/api/v1/enroll", server.adminToken());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void uploadsBeyondTheInFlightLimitGetBusyWithJitteredRetryAfter() throws Exception {
        // An upload holds the only ingest permit while it waits for the database's write lock,
        // which a long transaction holds (as a slow disk or a big batch would).
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Void> longWrite = CompletableFuture.runAsync(() -> server.collector().store().inTransaction(tx -> {
            holding.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> host.upload(server, host.next()));
        try {
            HttpResponse<String> r = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                r = server.post("/api/v1/reports", host.token(), "{\"reports\":[]}");
                if (r.statusCode() == 429) break;
                Thread.sleep(50); // the held upload has not reached the gate yet
            }
            assertThat(r).isNotNull();
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("busy");
            int retryAfter = Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1, 10);
        } finally {
            release.countDown();
        }
        longWrite.get(30, TimeUnit.SECONDS);
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
}
