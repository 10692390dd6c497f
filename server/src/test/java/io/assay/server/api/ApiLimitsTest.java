package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Json;
import io.assay.protocol.api.Problem;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
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
        server = TestCollector.start(dir, Clock.systemUTC(), b -> b.maxIngestInFlight(1));
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
        String body = TestHost.batch(host.next());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // A slow upload (headers and half its body) holds the only ingest permit while the collector
        // waits for the rest. Only one request is in flight at a time here, so the slow one cannot
        // be refused itself; it may just not have reached the gate yet, so give it longer each try.
        for (int attempt = 1; attempt <= 5; attempt++) {
            try (Socket slow = new Socket(server.url().getHost(), server.url().getPort())) {
                slow.setSoTimeout(30_000);
                OutputStream out = slow.getOutputStream();
                out.write(("POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + host.token()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes, 0, bytes.length / 2);
                out.flush();
                Thread.sleep(200L * attempt);

                HttpResponse<String> r = server.post("/api/v1/reports", host.token(), "{\"reports\":[]}");
                if (r.statusCode() != 429) {
                    assertThat(r.statusCode()).isEqualTo(200);
                    continue; // the slow upload had not reached the gate; it is abandoned with its socket
                }
                assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("busy");
                int retryAfter = Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow());
                assertThat(retryAfter).isBetween(1, 10);

                out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
                out.flush();
                InputStream in = slow.getInputStream();
                String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(status).isEqualTo("HTTP/1.1 200");
                return;
            }
        }
        throw new AssertionError("no 429 in 5 attempts while a slow upload held the only ingest permit");
    }
}
