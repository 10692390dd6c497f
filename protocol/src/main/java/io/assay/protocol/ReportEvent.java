package io.assay.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Something the agent itself did or suffered, recorded in the host's chain as part of a report
 * ({@link Report#events()}). A report that carries events is an <em>event report</em>: it observed
 * nothing itself, its window is the period the event is about, and its verdict is
 * {@link Verdict#DEGRADED} (never clean) except for a {@link Kind#SUMMARY}, whose verdict is that
 * of the reports it folds.
 *
 * <p>Windows by kind: {@code START}, {@code STOP}, {@code CONFIG}, {@code EPOCH}: the instant it
 * happened (empty window). {@code CRASH}: from the last moment the previous run was known alive to
 * this start (the agent was down then). {@code SHED}: the span of the windows shed.
 * {@code GAP}: the span of the reports lost. {@code SUMMARY}: the span of the folded reports.
 *
 * @param kind what happened
 * @param reason one human sentence: why, and what the auditor should make of it
 * @param firstSeq {@code SUMMARY}: first folded seq; {@code GAP}: first lost seq; {@code EPOCH}:
 *     the agent's own chain end before the new epoch; 0 otherwise
 * @param lastSeq {@code SUMMARY}/{@code GAP}: last folded or lost seq; 0 otherwise
 * @param verdictCounts {@code SUMMARY}: verdict name to number of folded reports; empty otherwise
 * @param payloadHashes {@code SUMMARY}: payload hashes of the folded reports in seq order, so a
 *     copy of an original report found elsewhere can be matched; empty otherwise
 */
public record ReportEvent(
        Kind kind,
        String reason,
        long firstSeq,
        long lastSeq,
        Map<String, Integer> verdictCounts,
        List<String> payloadHashes) {

    /** Kinds of event; the wire name is the lower-case name. */
    public enum Kind {
        /** The agent started. */
        START,
        /** The agent stopped cleanly (SIGTERM, or a self-watch restart). */
        STOP,
        /** The previous run ended without a clean stop: killed, crashed, or the host lost power. */
        CRASH,
        /** The configuration or the rules in force changed since the previous run. */
        CONFIG,
        /** Windows were shed (not written) or optional work was shed to stay within a budget. */
        SHED,
        /** Reports were lost: an unreadable spooled report, a corrupt spool, or reports the collector lost. */
        GAP,
        /** The chain continues from the collector's chain end instead of the agent's own (rolled-back state). */
        EPOCH,
        /** Clean reports folded into this one to stay within the spool's size bound. */
        SUMMARY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ReportEvent {
        requireNonNull(kind, "kind");
        requireNonNull(reason, "reason");
        verdictCounts = verdictCounts == null ? Map.of() : new TreeMap<>(verdictCounts);
        payloadHashes = payloadHashes == null ? List.of() : List.copyOf(payloadHashes);
        if (firstSeq < 0 || lastSeq < 0) throw new IllegalArgumentException("seqs must be >= 0");
    }

    /** An event with no seq range or summary data. */
    public static ReportEvent of(Kind kind, String reason) {
        return new ReportEvent(kind, reason, 0, 0, Map.of(), List.of());
    }
}
