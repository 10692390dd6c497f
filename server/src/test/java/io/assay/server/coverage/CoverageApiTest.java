package io.assay.server.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Coverage from a real collector's stored reports. */
class CoverageApiTest {
    @TempDir
    Path dir;

    @Test
    void coveredTimeVerdictsAndGapsOfAHost() {
        FakeClock clock = new FakeClock(TestHost.T0.minusSeconds(600));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            assertThat(host.upload(server, host.next(), host.next(Verdict.MINING), host.next()).statusCode()).isEqualTo(200);
            HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId() + "/coverage?from="
                    + TestHost.T0.minusSeconds(60) + "&to=" + TestHost.T0.plusSeconds(300), server.auditorToken());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject c = JsonParser.parseString(r.body()).getAsJsonObject();
            assertThat(c.get("coveredSeconds").getAsDouble()).isEqualTo(180.0);
            assertThat(c.getAsJsonObject("verdictSeconds").get("MINING").getAsDouble()).isEqualTo(60.0);
            assertThat(c.get("complete").getAsBoolean()).isFalse();
            assertThat(c.getAsJsonArray("covered")).hasSize(3);
            assertThat(c.getAsJsonArray("gaps")).hasSize(2);
            JsonObject head = c.getAsJsonArray("gaps").get(0).getAsJsonObject();
            assertThat(head.get("reason").getAsString()).isEqualTo("agent-silent");
            JsonObject tail = c.getAsJsonArray("gaps").get(1).getAsJsonObject();
            assertThat(tail.get("from").getAsString()).isEqualTo(TestHost.T0.plusSeconds(180).toString());
            assertThat(tail.get("seconds").getAsDouble()).isEqualTo(120.0);

            HttpResponse<String> beforeEnrollment = server.get("/api/v1/hosts/" + host.hostId() + "/coverage?from="
                    + TestHost.T0.minusSeconds(1200) + "&to=" + TestHost.T0, server.auditorToken());
            assertThat(beforeEnrollment.body()).contains("\"reason\":\"not-enrolled\"");
            assertThat(server.get("/api/v1/hosts/nope/coverage", server.auditorToken()).statusCode()).isEqualTo(404);
            assertThat(server.get("/api/v1/hosts/" + host.hostId() + "/coverage?from=x", server.auditorToken()).body())
                    .contains("neither an ISO-8601 instant");
        }
    }
}
