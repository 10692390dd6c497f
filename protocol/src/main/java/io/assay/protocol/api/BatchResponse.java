package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** {@code 200} answer to a report batch: one ack per report, in the batch's order. */
public record BatchResponse(List<Ack> acks) {
    public BatchResponse {
        acks = List.copyOf(requireNonNull(acks, "acks"));
    }
}
