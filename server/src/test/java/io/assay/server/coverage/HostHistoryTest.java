package io.assay.server.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host's day-by-day history from a real collector: the summaries ingest wrote, split at UTC midnight. */
class HostHistoryTest {
    @TempDir
    Path dir;

    @Test
    void daysAddUpToTheCoverageAndFindingsAreRuns() {
        FakeClock clock = new FakeClock(TestHost.T0.minusSeconds(7200));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            Finding pool = new Finding("sig.pool.connection", Finding.Kind.SIGNATURE, "process 7 connects to a pool", 7,
                    "xmrig", "/tmp/xmrig", "d".repeat(64), "root", List.of("pool:3333"), TestHost.T0.toEpochMilli(), "");
            assertThat(host.upload(server, host.next(), host.next(Verdict.MINING, List.of(pool)),
                    host.next(Verdict.MINING, List.of(pool)), host.next()).statusCode()).isEqualTo(200);
            // T0 is midnight: the period is the last hour of one day and the first of the next.
            HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId() + "/history?from="
                    + TestHost.T0.minusSeconds(3600) + "&to=" + TestHost.T0.plusSeconds(3600), server.auditorToken());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject h = JsonParser.parseString(r.body()).getAsJsonObject();
            assertThat(h.get("coveredSeconds").getAsDouble()).isEqualTo(240.0);
            JsonArray days = h.getAsJsonArray("days");
            assertThat(days).hasSize(2);
            JsonObject before = days.get(0).getAsJsonObject();
            JsonObject first = days.get(1).getAsJsonObject();
            assertThat(before.get("day").getAsString()).isEqualTo("2025-02-28");
            assertThat(before.get("seconds").getAsDouble()).isEqualTo(3600.0);
            assertThat(before.get("coveredSeconds").getAsDouble()).isZero();
            assertThat(before.get("reportsStarted").getAsLong()).isZero();
            assertThat(first.get("day").getAsString()).isEqualTo("2025-03-01");
            assertThat(first.get("coveredSeconds").getAsDouble()).isEqualTo(240.0);
            assertThat(first.get("gapSeconds").getAsDouble()).isEqualTo(3600.0 - 240.0);
            assertThat(first.getAsJsonObject("verdictSeconds").get("MINING").getAsDouble()).isEqualTo(120.0);
            assertThat(first.get("reportsStarted").getAsLong()).isEqualTo(4);
            assertThat(first.get("energyJoules").isJsonNull()).isTrue(); // no report stated energy
            JsonArray runs = h.getAsJsonArray("findingRuns");
            assertThat(runs).hasSize(1);
            JsonObject run = runs.get(0).getAsJsonObject();
            assertThat(run.get("ruleId").getAsString()).isEqualTo("sig.pool.connection");
            assertThat(run.get("firstSeq").getAsLong()).isEqualTo(2);
            assertThat(run.get("lastSeq").getAsLong()).isEqualTo(3);
            assertThat(run.get("reports").getAsLong()).isEqualTo(2);
            assertThat(server.get("/api/v1/hosts/nope/history", server.auditorToken()).statusCode()).isEqualTo(404);
            assertThat(server.getWithoutToken("/api/v1/hosts/" + host.hostId() + "/history").statusCode()).isEqualTo(401);
        }
    }
}
