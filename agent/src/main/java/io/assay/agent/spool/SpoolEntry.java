package io.assay.agent.spool;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Envelope;

/** One unacknowledged report as stored: its seq, the hash of its payload, and the signed envelope. */
public record SpoolEntry(long seq, String payloadHash, Envelope envelope) {
    public SpoolEntry {
        requireNonNull(payloadHash, "payloadHash");
        requireNonNull(envelope, "envelope");
    }
}
