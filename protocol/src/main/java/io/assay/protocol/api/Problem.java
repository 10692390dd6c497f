package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Every 4xx/5xx answer of the collector: RFC 9457 problem details, plus, for a report batch, the
 * acks of the reports accepted before the refused one and the refused one's index and seq.
 *
 * @param type a stable machine-readable reason, e.g. {@code bad-signature}, {@code seq-reused}
 * @param index position of the refused report in the batch, or -1
 * @param seq seq of the refused report, or -1
 * @param expectedSeq for a chain refusal ({@code seq-gap}, {@code seq-reused}, {@code prev-mismatch}):
 *     the seq the collector expects next, its chain end + 1; 0 when not about the chain (or from an
 *     older collector)
 * @param chainEndHash with {@code expectedSeq}: the payload hash of the collector's chain end, the
 *     {@code prev} it expects ("" for an empty chain or when not about the chain)
 */
public record Problem(String type, String title, int status, String detail, int index, long seq, List<Ack> acks,
        long expectedSeq, String chainEndHash) {
    public Problem {
        chainEndHash = chainEndHash == null ? "" : chainEndHash;
        requireNonNull(type, "type");
        requireNonNull(title, "title");
        requireNonNull(detail, "detail");
        acks = acks == null ? List.of() : List.copyOf(acks);
    }

    public Problem(String type, String title, int status, String detail, int index, long seq, List<Ack> acks) {
        this(type, title, status, detail, index, seq, acks, 0, "");
    }

    public static Problem of(int status, String type, String title, String detail) {
        return new Problem(type, title, status, detail, -1, -1, List.of());
    }
}
