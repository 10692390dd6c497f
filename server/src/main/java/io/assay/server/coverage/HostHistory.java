package io.assay.server.coverage;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.assay.protocol.Verdict;
import io.assay.protocol.coverage.Coverage;
import io.assay.server.store.Store;
import io.assay.server.store.SummaryTables;
import io.assay.server.store.SummaryTables.Day;
import io.assay.server.store.SummaryTables.FindingRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A host's history over a period, day by day (UTC): covered and gap seconds by verdict, reports
 * and energy per day, and the finding runs in the period. Read from the summaries in one
 * snapshot: a host-month is its stretches, about 30 day rows and its finding runs, whatever the
 * number of reports.
 */
public final class HostHistory {
    private HostHistory() {}

    /** One UTC day of the period (the first and last may be cut by it). */
    public record DayLine(long dayMs, long fromMs, long toMs, long coveredMs, Map<Verdict, Long> msByVerdict,
            long reports, Optional<Double> energyJoules) {}

    public record History(String hostId, Coverage coverage, List<DayLine> days, List<FindingRun> findings) {}

    /** The history of {@code hostId} over {@code [fromMs, toMs)}; empty if no such host. */
    public static Optional<History> of(Store store, String hostId, long fromMs, long toMs) {
        return store.read(tx -> tx.findHost(hostId).map(host -> {
            SummaryTables st = tx.summaries();
            Coverage c = HostCoverage.compute(host.enrolledAt().toEpochMilli(), fromMs, toMs,
                    st.stretches(List.of(hostId), fromMs, toMs));
            long firstDay = Math.floorDiv(fromMs, SummaryTables.DAY_MS) * SummaryTables.DAY_MS;
            List<Day> rows = st.days(List.of(hostId), firstDay, toMs);
            List<DayLine> days = new ArrayList<>();
            int next = 0;
            for (long d = firstDay; d < toMs; d += SummaryTables.DAY_MS) {
                long a = Math.max(d, fromMs);
                long b = Math.min(d + SummaryTables.DAY_MS, toMs);
                Map<Verdict, Long> by = new EnumMap<>(Verdict.class);
                long covered = 0;
                for (Coverage.Covered x : c.covered()) {
                    long ms = Math.min(b, x.toMs()) - Math.max(a, x.fromMs());
                    if (ms > 0) {
                        covered += ms;
                        by.merge(x.verdict(), ms, Long::sum);
                    }
                }
                while (next < rows.size() && rows.get(next).dayMs() < d) next++;
                Day row = next < rows.size() && rows.get(next).dayMs() == d ? rows.get(next) : null;
                days.add(new DayLine(d, a, b, covered, by, row == null ? 0 : row.reports(),
                        row == null || row.energyReports() == 0 ? Optional.empty() : Optional.of(row.energyJoules())));
            }
            return new History(hostId, c, days, st.findings(List.of(hostId), fromMs, toMs));
        }));
    }

    /** The API's JSON view: the coverage as {@link HostCoverage#toJson}, plus {@code days} and {@code findings}. */
    public static JsonObject toJson(History h) {
        JsonObject o = HostCoverage.toJson(h.hostId(), h.coverage());
        JsonArray days = new JsonArray();
        for (DayLine d : h.days()) {
            JsonObject j = new JsonObject();
            j.addProperty("day", Instant.ofEpochMilli(d.dayMs()).toString().substring(0, 10));
            j.addProperty("seconds", (d.toMs() - d.fromMs()) / 1000.0);
            j.addProperty("coveredSeconds", d.coveredMs() / 1000.0);
            j.addProperty("gapSeconds", (d.toMs() - d.fromMs() - d.coveredMs()) / 1000.0);
            JsonObject v = new JsonObject();
            for (Verdict x : Verdict.values()) v.addProperty(x.name(), d.msByVerdict().getOrDefault(x, 0L) / 1000.0);
            j.add("verdictSeconds", v);
            j.addProperty("reportsStarted", d.reports());
            j.addProperty("energyJoules", d.energyJoules().orElse(null));
            days.add(j);
        }
        o.add("days", days);
        JsonArray fs = new JsonArray();
        for (FindingRun f : h.findings()) {
            JsonObject j = new JsonObject();
            j.addProperty("ruleId", f.ruleId());
            j.addProperty("kind", f.kind());
            j.addProperty("summary", f.summary());
            j.addProperty("firstSeq", f.firstSeq());
            j.addProperty("lastSeq", f.lastSeq());
            j.addProperty("reports", f.reports());
            j.addProperty("from", Instant.ofEpochMilli(f.fromMs()).toString());
            j.addProperty("to", Instant.ofEpochMilli(f.toMs()).toString());
            fs.add(j);
        }
        o.add("findingRuns", fs);
        return o;
    }
}
