package io.assay.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Json;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.HostIdentity;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClockSkewAndIdentityTest {
    @TempDir
    Path dir;

    private static JsonArray events(TestCollector server, String hostId) {
        return JsonParser.parseString(server.get("/api/v1/hosts/" + hostId, server.auditorToken()).body())
                .getAsJsonObject().getAsJsonArray("events");
    }

    @Test
    void anAgentClockAheadIsAcceptedAndFlaggedOncePerBatch() {
        FakeClock clock = new FakeClock(TestHost.T0.minus(Duration.ofMinutes(30)));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            assertThat(host.upload(server, host.next(), host.next()).statusCode()).isEqualTo(200);
            JsonArray events = events(server, host.hostId());
            assertThat(events).hasSize(1);
            JsonObject e = events.get(0).getAsJsonObject();
            assertThat(e.get("kind").getAsString()).isEqualTo("clock-skew");
            assertThat(e.toString()).contains("ends 1860 s after the collector received it");

            clock.advance(Duration.ofHours(1));
            assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
            assertThat(events(server, host.hostId())).as("a late report is not skew").hasSize(1);
        }
    }

    @Test
    void identityFieldsAreBounded() {
        try (TestCollector server = TestCollector.start(dir)) {
            EnrollRequest tooLong = new EnrollRequest(new HostIdentity("h".repeat(300), "uuid", "sn", List.of()),
                    new TestHost("x", "y").enrollRequest().publicKey(), "v1");
            HttpResponse<String> r = server.post("/api/v1/enroll", server.enrollToken(), Json.toJson(tooLong));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("hostname is longer than 253");
        }
    }

    @Test
    void enrollmentMustProveItHoldsTheKeyForThisTokenNow() {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost host = new TestHost("web-2", "uuid-2");
            long now = server.collector().clock().millis();
            HttpResponse<String> unsigned = server.post("/api/v1/enroll", server.enrollToken(), Json.toJson(host.enrollRequest()));
            assertThat(unsigned.statusCode()).isEqualTo(400);
            assertThat(unsigned.body()).contains("no proof that the agent holds the private key");

            HttpResponse<String> otherToken = server.post("/api/v1/enroll", server.enrollToken(),
                    Json.toJson(host.enrollRequest(server.adminToken(), now)));
            assertThat(otherToken.statusCode()).isEqualTo(422);
            assertThat(otherToken.body()).contains("proof of possession does not verify");

            HttpResponse<String> stale = server.post("/api/v1/enroll", server.enrollToken(),
                    Json.toJson(host.enrollRequest(server.enrollToken(), now - 3_600_000)));
            assertThat(stale.statusCode()).isEqualTo(400);
            assertThat(stale.body()).contains("signed 3600 s away from the collector's clock");

            assertThat(server.post("/api/v1/enroll", server.enrollToken(),
                    Json.toJson(host.enrollRequest(server.enrollToken(), now))).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reEnrollingAKnownKeyWithAnotherIdentityIsAnEventNotASilentChange() {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            EnrollRequest signed = host.enrollRequest(server.enrollToken(), server.collector().clock().millis());
            EnrollRequest moved = new EnrollRequest(new HostIdentity("web-1-renamed", signed.identity().systemUuid(),
                    signed.identity().boardSerial(), signed.identity().macs()), signed.publicKey(), signed.agentVersion(),
                    signed.signedAtMs(), signed.proof());
            HttpResponse<String> r = server.post("/api/v1/enroll", server.enrollToken(), Json.toJson(moved));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains(host.hostId());
            JsonObject view = JsonParser.parseString(server.get("/api/v1/hosts/" + host.hostId(), server.auditorToken())
                    .body()).getAsJsonObject();
            assertThat(view.toString()).contains("identity-changed").contains("web-1-renamed");
            assertThat(view.toString()).contains("\"hostname\":\"web-1\"");
        }
    }
}
