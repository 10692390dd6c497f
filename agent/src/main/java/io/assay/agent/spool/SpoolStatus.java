package io.assay.agent.spool;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A snapshot of the spool for {@code assay-agent status}. Times are epoch ms; absent values are
 * empty or 0 as documented.
 *
 * @param depth reports not yet acknowledged by the collector
 * @param lastReportSeq seq of the last report written (0 when none)
 * @param lastReportVerdict verdict of the last report written ("" when none)
 * @param lastAckSeq highest seq acknowledged (0 when none)
 * @param lastError the last shipping problem ("" when none)
 * @param starts how many times {@code assay-agent run} started on this spool
 * @param shedPending windows shed and not yet recorded in a gap report
 * @param quarantined reports that could not be read back, kept in the quarantine table
 * @param epochs times the chain continued from the collector's chain end (rolled-back state)
 * @param bytes bytes of envelopes stored (unacknowledged and retained acknowledged ones)
 */
public record SpoolStatus(
        long depth,
        long lastReportSeq,
        long lastReportMs,
        String lastReportVerdict,
        long lastAckSeq,
        long lastAckMs,
        String lastError,
        long lastErrorMs,
        long starts,
        long shedPending,
        long quarantined,
        long epochs,
        long bytes) {
    public SpoolStatus {
        requireNonNull(lastReportVerdict, "lastReportVerdict");
        requireNonNull(lastError, "lastError");
    }

    public Optional<String> error() {
        return lastError.isEmpty() ? Optional.empty() : Optional.of(lastError);
    }

    /**
     * The problem shipping has now: the last error, unless the collector acknowledged a report
     * after it (then it healed and is history).
     */
    public Optional<String> currentProblem() {
        return lastError.isEmpty() || lastAckMs > lastErrorMs ? Optional.empty() : Optional.of(lastError);
    }

    /** No spool yet: everything zero or empty. */
    public static SpoolStatus empty() {
        return new SpoolStatus(0, 0, 0, "", 0, 0, "", 0, 0, 0, 0, 0, 0);
    }
}
