package io.assay.protocol;

import java.util.Optional;

/**
 * The per-host hash chain rule: the next report after {@code (seq, hash)} has seq + 1 and
 * {@code prev == hash}; the first report has seq 1 and empty prev.
 */
public final class Chain {
    private Chain() {}

    /** Where a host's chain ends: the last accepted seq and the SHA-256 of its payload. */
    public record Link(long seq, String payloadHash) {}

    /** Why a report does not continue a chain. */
    public enum Break {
        /** seq is at or below the chain's end: a replay or a fork, depending on content. */
        SEQ_REUSED,
        /** seq skips ahead of the chain's end: reports are missing in between. */
        SEQ_GAP,
        /** seq is right but prev is not the hash of the chain's end. */
        PREV_MISMATCH
    }

    /** Thrown when a report does not continue the chain; {@link #reason()} says how. */
    public static final class ChainException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Break reason;

        public ChainException(Break reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Break reason() {
            return reason;
        }
    }

    /** Checks that {@code next} continues the chain that ends at {@code last} (empty: no report yet). */
    public static void verifyNext(Optional<Link> last, Report next) throws ChainException {
        long expectedSeq = last.map(l -> l.seq() + 1).orElse(1L);
        if (next.seq() < expectedSeq) {
            throw new ChainException(Break.SEQ_REUSED, "seq " + next.seq() + " was already used; the chain is at seq "
                    + (expectedSeq - 1));
        }
        if (next.seq() > expectedSeq) {
            throw new ChainException(Break.SEQ_GAP, "seq " + next.seq() + " skips ahead; expected seq " + expectedSeq);
        }
        String expectedPrev = last.map(Link::payloadHash).orElse("");
        if (!next.prev().equals(expectedPrev)) {
            throw new ChainException(Break.PREV_MISMATCH, "prev of seq " + next.seq()
                    + " is not the hash of seq " + (expectedSeq - 1) + "'s payload");
        }
    }
}
