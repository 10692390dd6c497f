package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

/**
 * The collector's receipt for one report.
 *
 * @param status {@code accepted} (stored now) or {@code duplicate} (the same bytes were stored before)
 * @param payloadHash SHA-256 of the stored payload, so the agent can check what was acknowledged
 */
public record Ack(String hostId, long seq, String status, String payloadHash) {
    public static final String ACCEPTED = "accepted";
    public static final String DUPLICATE = "duplicate";

    public Ack {
        requireNonNull(hostId, "hostId");
        requireNonNull(status, "status");
        requireNonNull(payloadHash, "payloadHash");
    }
}
