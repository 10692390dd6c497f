package io.assay.server.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Report;
import io.assay.protocol.ReportEvent;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void anAgentCrashIsAGapWithItsReasonNeverCoveredTime() {
        FakeClock clock = new FakeClock(TestHost.T0.minusSeconds(600));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            long t0 = TestHost.T0.toEpochMilli();
            long restart = t0 + 180_000;
            // What a restarted agent sends: its last window, then a CRASH report over the time it was
            // down (DEGRADED, so no reader takes it as clean), then its next window.
            TestHost host = TestHost.enrolledAt(server, "web-1");
            var a = host.next();
            var b = host.next(r -> shaped(r, t0 + 60_000, restart, restart, Verdict.DEGRADED,
                    List.of(ReportEvent.of(ReportEvent.Kind.CRASH, "the previous run ended without a clean stop"))));
            var c = host.next(r -> shaped(r, restart, restart + 60_000, restart, Verdict.CLEAN, List.of()));
            assertThat(host.upload(server, a, b, c).statusCode()).isEqualTo(200);

            HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId() + "/coverage?from=" + TestHost.T0
                    + "&to=" + TestHost.T0.plusSeconds(240), server.auditorToken());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject cov = JsonParser.parseString(r.body()).getAsJsonObject();
            assertThat(cov.get("coveredSeconds").getAsDouble()).isEqualTo(120.0);
            assertThat(cov.getAsJsonObject("verdictSeconds").has("DEGRADED")
                    && cov.getAsJsonObject("verdictSeconds").get("DEGRADED").getAsDouble() > 0).isFalse();
            assertThat(cov.getAsJsonArray("gaps")).hasSize(1);
            JsonObject gap = cov.getAsJsonArray("gaps").get(0).getAsJsonObject();
            assertThat(gap.get("reason").getAsString()).isEqualTo("agent-crashed");
            assertThat(gap.get("from").getAsString()).isEqualTo(TestHost.T0.plusSeconds(60).toString());
            assertThat(gap.get("seconds").getAsDouble()).isEqualTo(120.0);
        }
    }

    private static Report shaped(Report b, long startMs, long endMs, long agentStartedMs, Verdict verdict,
            List<ReportEvent> events) {
        return new Report(b.formatVersion(), b.hostId(), b.seq(), b.prev(), startMs, endMs, b.agentVersion(), agentStartedMs,
                b.rulesHash(), b.allowlistHash(), b.load(), events.isEmpty() ? b.topProcesses() : List.of(), b.findings(),
                verdict, b.notes(), b.hardware(), events, b.addresses());
    }
}
