package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Verdict;
import java.time.Instant;

/**
 * The index row of one stored report: what queries filter and list without opening envelopes.
 * Window times and {@code agentStartedMs} are the agent's claims (epoch ms); {@code receivedAt}
 * is the collector's own clock, the only time acceptance ever depends on.
 */
public record ReportRow(
        String hostId,
        long seq,
        String payloadHash,
        long windowStartMs,
        long windowEndMs,
        Verdict verdict,
        Instant receivedAt,
        long agentStartedMs) {

    public ReportRow {
        requireNonNull(hostId, "hostId");
        requireNonNull(payloadHash, "payloadHash");
        requireNonNull(verdict, "verdict");
        requireNonNull(receivedAt, "receivedAt");
        if (seq < 1) throw new IllegalArgumentException("seq must be >= 1, was " + seq);
    }
}
