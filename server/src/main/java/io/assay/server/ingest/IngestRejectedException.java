package io.assay.server.ingest;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.api.Ack;
import java.util.List;
import java.util.Locale;

/**
 * An enrollment or a report was refused. Carries where in the batch it happened and the acks of
 * the reports stored before it, so the agent can drop those from its spool.
 */
public final class IngestRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why; each reason has a stable wire name used as the problem {@code type}. */
    public enum Reason {
        /** Not a well-formed request, envelope, report or key. */
        MALFORMED,
        /** The report names a host other than the token's, or the host is not enrolled. */
        UNKNOWN_HOST,
        /** No signature by the host's pinned key verifies. */
        BAD_SIGNATURE,
        /** Another report with this seq is stored (fork or replay). */
        SEQ_REUSED,
        /** Reports are missing between the chain's end and this one. */
        SEQ_GAP,
        /** The seq is right but {@code prev} is not the hash of the chain's end. */
        PREV_MISMATCH,
        /** The enrollment token expired or has no uses left. */
        TOKEN_REFUSED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final int index;
    private final long seq;
    private final transient List<Ack> acks;

    public IngestRejectedException(Reason reason, String detail, int index, long seq, List<Ack> acks) {
        super(detail);
        this.reason = requireNonNull(reason, "reason");
        this.index = index;
        this.seq = seq;
        this.acks = List.copyOf(acks);
    }

    public IngestRejectedException(Reason reason, String detail) {
        this(reason, detail, -1, -1, List.of());
    }

    public Reason reason() {
        return reason;
    }

    /** Position of the refused report in its batch, -1 when not about a batch. */
    public int index() {
        return index;
    }

    /** Seq of the refused report, -1 when unknown. */
    public long seq() {
        return seq;
    }

    /** Acks of the reports stored (or found already stored) before the refused one. */
    public List<Ack> acks() {
        return acks;
    }

    IngestRejectedException withPosition(int index, long seq, List<Ack> acks) {
        return new IngestRejectedException(reason, getMessage(), index, seq, acks);
    }
}
