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
        long shedPending) {
    public SpoolStatus {
        requireNonNull(lastReportVerdict, "lastReportVerdict");
        requireNonNull(lastError, "lastError");
    }

    public Optional<String> error() {
        return lastError.isEmpty() ? Optional.empty() : Optional.of(lastError);
    }
}
