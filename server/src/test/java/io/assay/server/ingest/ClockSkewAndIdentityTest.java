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
}
