package io.assay.server.coverage;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.assay.protocol.Verdict;
import io.assay.protocol.coverage.Coverage;
import io.assay.protocol.coverage.CoverageInput;
import io.assay.server.store.Store;
import io.assay.server.store.SummaryTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A host's coverage from the collector's store. Stored reports passed ingest (signature against
 * the pinned key, chain continuity), so each is a linked entry; verifying that independently is
 * what {@code assay-verify} does with the same computation.
 *
 * <p>The input is the host's coverage stretches ({@link SummaryTables.Stretch}), which ingest
 * keeps in the transaction that stores each report: consecutive reports of one run and verdict
 * joined into one entry. Coverage over stretches is coverage over the reports (same covered, gap
 * and verdict time to the millisecond), and a healthy host-month is one entry instead of 43,200.
 * One difference: a covered interval names the seq range of its whole stretches, also where the
 * period cuts a stretch.
 */
public final class HostCoverage {
    /** Uncovered stretches between two reports of one agent run up to this long are jitter, not gaps. */
    public static final long DEFAULT_SLACK_MS = SummaryTables.JOIN_SLACK_MS;

    private HostCoverage() {}

    /** The coverage of {@code hostId} over {@code [fromMs, toMs)}; empty if no such host. */
    public static Optional<Coverage> of(Store store, String hostId, long fromMs, long toMs) {
        return store.read(tx -> tx.findHost(hostId).map(host -> compute(host.enrolledAt().toEpochMilli(), fromMs, toMs,
                tx.summaries().stretches(List.of(hostId), fromMs, toMs))));
    }

    /** Coverage over {@code [fromMs, toMs)} of a host enrolled at {@code enrolledAtMs} from its stretches in the period. */
    public static Coverage compute(long enrolledAtMs, long fromMs, long toMs, List<SummaryTables.Stretch> stretches) {
        List<CoverageInput.Entry> entries = new ArrayList<>(stretches.size());
        for (SummaryTables.Stretch s : stretches) {
            entries.add(s.marksGap().isPresent()
                    ? new CoverageInput.Entry(s.firstSeq(), s.fromMs(), s.toMs(), Optional.empty(), s.marksGap(),
                            s.agentStartedMs(), true, s.lastSeq())
                    : CoverageInput.Entry.stretch(s.firstSeq(), s.lastSeq(), s.fromMs(), s.toMs(), s.verdict(),
                            s.agentStartedMs()));
        }
        return Coverage.compute(new CoverageInput(fromMs, toMs, enrolledAtMs, DEFAULT_SLACK_MS, entries));
    }

    /** The API's JSON view: seconds, ISO instants, wire names. */
    /** A period asked of a host's history: epoch ms, {@code from} inclusive, {@code to} exclusive. */
    public record Period(long fromMs, long toMs) {}

    /**
     * The {@code ?from=&to=} of a request about {@code hostId}: {@code to} defaults to now and
     * {@code from} to the host's enrollment (the coverage and evidence routes ask the same period).
     */
    public static Period period(io.assay.server.http.ApiRequest r, Store store, java.time.Clock clock, String hostId) {
        long to = io.assay.server.http.RequestParams.optionalTime(r, "to").orElse(clock.millis());
        long from = io.assay.server.http.RequestParams.optionalTime(r, "from").orElseGet(() -> store.read(tx ->
                tx.findHost(hostId)).map(h -> h.enrolledAt().toEpochMilli()).orElse(to - 1));
        if (from >= to) throw io.assay.server.api.ApiException.malformed("from must be before to");
        return new Period(from, to);
    }

    public static JsonObject toJson(String hostId, Coverage c) {
        JsonObject o = new JsonObject();
        o.addProperty("host", hostId);
        o.addProperty("from", Instant.ofEpochMilli(c.fromMs()).toString());
        o.addProperty("to", Instant.ofEpochMilli(c.toMs()).toString());
        o.addProperty("periodSeconds", (c.toMs() - c.fromMs()) / 1000.0);
        o.addProperty("coveredSeconds", c.coveredMs() / 1000.0);
        o.addProperty("complete", c.isComplete());
        JsonObject verdicts = new JsonObject();
        for (Verdict v : Verdict.values()) verdicts.addProperty(v.name(), c.msByVerdict().getOrDefault(v, 0L) / 1000.0);
        o.add("verdictSeconds", verdicts);
        JsonArray covered = new JsonArray();
        for (Coverage.Covered x : c.covered()) {
            JsonObject j = interval(x.fromMs(), x.toMs());
            j.addProperty("verdict", x.verdict().name());
            j.addProperty("firstSeq", x.firstSeq());
            j.addProperty("lastSeq", x.lastSeq());
            covered.add(j);
        }
        o.add("covered", covered);
        JsonArray gaps = new JsonArray();
        for (Coverage.Gap g : c.gaps()) {
            JsonObject j = interval(g.fromMs(), g.toMs());
            j.addProperty("reason", g.reason().wireName());
            gaps.add(j);
        }
        o.add("gaps", gaps);
        return o;
    }

    private static JsonObject interval(long from, long to) {
        JsonObject j = new JsonObject();
        j.addProperty("from", Instant.ofEpochMilli(from).toString());
        j.addProperty("to", Instant.ofEpochMilli(to).toString());
        j.addProperty("seconds", (to - from) / 1000.0);
        return j;
    }
}
