package io.assay.protocol.coverage;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.ReportEvent;
import io.assay.protocol.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * What coverage is computed from: the period, when the host was enrolled, and one entry per
 * valid report. Callers decide validity (signature, chain) before; an entry whose link to the
 * previous report could not be verified has {@code linked = false}.
 *
 * <p>An entry either covers its window with a verdict (an ordinary report, or a lifecycle
 * summary of folded clean reports) or marks its window as a gap with a stated reason (a
 * lifecycle report: clean stop, crash detected, shed interval). New report kinds map to one of
 * the two without changing the computation.
 *
 * @param slackMs uncovered stretches up to this long between two reports of one agent run are
 *     scheduler jitter, not gaps; 0 counts every millisecond
 */
public record CoverageInput(long fromMs, long toMs, long enrolledAtMs, long slackMs, List<Entry> entries) {

    /**
     * One report's contribution, or that of a stretch of consecutive reports {@code seq..lastSeq}
     * of one agent run under one verdict whose windows join into one interval (the collector keeps
     * coverage as such stretches; {@code lastSeq == seq} for a single report).
     */
    public record Entry(long seq, long windowStartMs, long windowEndMs, Optional<Verdict> verdict,
            Optional<GapReason> marksGap, long agentStartedMs, boolean linked, long lastSeq) {
        public Entry(long seq, long windowStartMs, long windowEndMs, Optional<Verdict> verdict,
                Optional<GapReason> marksGap, long agentStartedMs, boolean linked) {
            this(seq, windowStartMs, windowEndMs, verdict, marksGap, agentStartedMs, linked, seq);
        }

        public Entry {
            if (lastSeq < seq) throw new IllegalArgumentException("lastSeq must be >= seq");
            requireNonNull(verdict, "verdict");
            requireNonNull(marksGap, "marksGap");
            if (verdict.isPresent() == marksGap.isPresent()) {
                throw new IllegalArgumentException("an entry either covers with a verdict or marks a gap, not both");
            }
            if (windowEndMs < windowStartMs) throw new IllegalArgumentException("window ends before it starts");
        }

        /** An ordinary report covering its window. */
        public static Entry report(long seq, long startMs, long endMs, Verdict verdict, long agentStartedMs,
                boolean linked) {
            return new Entry(seq, startMs, endMs, Optional.of(verdict), Optional.empty(), agentStartedMs, linked);
        }

        /** A report as stored: a lifecycle report that marks a gap ({@link GapReason#markedBy}) marks it; any other covers. */
        public static Entry report(long seq, long startMs, long endMs, Verdict verdict, List<ReportEvent> events,
                long agentStartedMs, boolean linked) {
            Optional<GapReason> marks = GapReason.markedBy(events);
            return marks.isPresent()
                    ? new Entry(seq, startMs, endMs, Optional.empty(), marks, agentStartedMs, linked)
                    : report(seq, startMs, endMs, verdict, agentStartedMs, linked);
        }

        /** Linked reports {@code firstSeq..lastSeq} of one run, one verdict, covering {@code [startMs, endMs)}. */
        public static Entry stretch(long firstSeq, long lastSeq, long startMs, long endMs, Verdict verdict,
                long agentStartedMs) {
            return new Entry(firstSeq, startMs, endMs, Optional.of(verdict), Optional.empty(), agentStartedMs, true,
                    lastSeq);
        }
    }

    public CoverageInput {
        if (toMs <= fromMs) throw new IllegalArgumentException("the period must end after it starts");
        if (slackMs < 0) throw new IllegalArgumentException("slackMs must be >= 0");
        entries = List.copyOf(entries);
    }
}
