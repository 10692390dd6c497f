package io.assay.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.assay.protocol.Envelopes.SignedReport;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void aRestartedCollectorContinuesTheChainFromTheSameDatabase() {
        FakeClock clock = new FakeClock(Instant.parse("2030-01-01T00:00:00Z"));
        TestCollector server = TestCollector.start(dir, clock);
        TestHost host = TestHost.enrolledAt(server, "web-1");
        SignedReport r1 = host.next();
        SignedReport r2 = host.next();
        assertThat(host.upload(server, r1, r2).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofHours(1));
        server = server.restart();
        try {
            // Same chain: seq 2 again is a duplicate, seq 3 continues, a wrong seq 3 would not.
            assertThat(host.upload(server, r2, host.next()).statusCode()).isEqualTo(200);
            var h = JsonParser.parseString(server.get("/api/v1/hosts/" + host.hostId(), server.auditorToken()).body())
                    .getAsJsonObject();
            assertThat(h.get("lastSeq").getAsLong()).isEqualTo(3);
            assertThat(h.get("lastSeen").getAsString()).isEqualTo("2030-01-01T01:00:00Z");
            var v = JsonParser.parseString(server.get("/api/v1/reports/" + host.hostId() + "/3", server.auditorToken())
                    .body()).getAsJsonObject().getAsJsonObject("verification");
            assertThat(v.get("chain").getAsString()).isEqualTo("linked");
        } finally {
            server.close();
        }
    }
}
