package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Verdict;
import io.assay.protocol.coverage.GapReason;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The ingest-maintained summaries of each host's reports ({@link Store.ReadTx#summaries()}):
 * what the fleet page, a host's history and pledge reports read instead of report rows. {@link
 * Store.Tx#appendReport} writes them in the transaction that stores the report, so they never
 * disagree with the stored reports. Bulk reads take up to {@link #MAX_HOSTS_PER_READ} host ids.
 */
public interface SummaryTables {

    /** Most host ids one bulk read takes (SQLite binds at most 32,766 parameters; PostgreSQL 65,535). */
    int MAX_HOSTS_PER_READ = 500;

    /**
     * Uncovered time up to this long between two reports of one agent run is scheduler jitter: such
     * reports join one stretch, as coverage treats the jitter as covered.
     */
    long JOIN_SLACK_MS = 1_000;

    /** One day in ms: days are UTC. */
    long DAY_MS = 86_400_000L;

    /**
     * Consecutive reports {@code firstSeq..lastSeq} of one agent run under one verdict, covering
     * {@code [fromMs, toMs)}; or one lifecycle report that marks its window as a gap
     * ({@code marksGap}: a crash, clean stop, shed or lost reports), which never joins another.
     */
    record Stretch(String hostId, long firstSeq, long lastSeq, long fromMs, long toMs, Verdict verdict,
            long agentStartedMs, Optional<GapReason> marksGap) {
        public Stretch {
            requireNonNull(hostId, "hostId");
            requireNonNull(verdict, "verdict");
            requireNonNull(marksGap, "marksGap");
        }
    }

    /** A host's reports whose window starts in the UTC day {@code dayMs}. */
    record Day(String hostId, long dayMs, long firstSeq, long lastSeq, long reports, double energyJoules,
            long energyReports) {
        public Day {
            requireNonNull(hostId, "hostId");
        }
    }

    /** One finding in every report {@code firstSeq..lastSeq} (consecutive), with the JSON of its first. */
    record FindingRun(String hostId, String key, long firstSeq, long lastSeq, long reports, long fromMs, long toMs,
            String ruleId, String kind, String summary, String evidenceJson) {
        public FindingRun {
            requireNonNull(hostId, "hostId");
            requireNonNull(key, "key");
            requireNonNull(ruleId, "ruleId");
            requireNonNull(kind, "kind");
            requireNonNull(summary, "summary");
            requireNonNull(evidenceJson, "evidenceJson");
        }
    }

    /** Reports of a host in a seq range whose windows overlap a period: how many, and the seq range they span. */
    record ReportSpan(long reports, long firstSeq, long lastSeq) {}

    /**
     * Stretches of {@code hostIds} overlapping {@code [fromMs, toMs)}, and each host's last one
     * ending before it and first one starting after it (they say why the period's first and last
     * gaps are gaps), by host then first seq.
     */
    List<Stretch> stretches(Collection<String> hostIds, long fromMs, long toMs);

    /** Day rows of {@code hostIds} for days starting in {@code [fromDayMs, toDayMs)}, by host then day. */
    List<Day> days(Collection<String> hostIds, long fromDayMs, long toDayMs);

    /** Finding runs of {@code hostIds} overlapping {@code [fromMs, toMs)}, by host then first seq. */
    List<FindingRun> findings(Collection<String> hostIds, long fromMs, long toMs);

    /** Of the host's reports {@code firstSeq..lastSeq}, those whose window overlaps {@code [fromMs, toMs)}. */
    Optional<ReportSpan> span(String hostId, long firstSeq, long lastSeq, long fromMs, long toMs);

    /**
     * Energy stated by the host's reports {@code firstSeq..lastSeq} whose window overlaps
     * {@code [fromMs, toMs)}; empty when none states any. Reads those reports' payloads: for the
     * edges of a period that does not start and end at UTC midnight, where day rows do not tell.
     */
    java.util.OptionalDouble energy(String hostId, long firstSeq, long lastSeq, long fromMs, long toMs);

    /**
     * Per host, the reports overlapping {@code [fromMs, toMs)} that the checkpoint of size
     * {@code checkpointSize} does not include (still queued for the log, or leaves at or past that
     * size). Reads the log's tail, which the sequencer keeps short, not the reports.
     */
    java.util.Map<String, Long> notInCheckpoint(long checkpointSize, long fromMs, long toMs);

    /** Folds one stored report into the summaries; called by {@link Store.Tx#appendReport}. */
    void add(ReportRow row, ReportDigest digest);
}
