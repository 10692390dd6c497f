package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Locale;

/**
 * Uploads of a host refused because they did not continue its chain, counted per chain end: the
 * first refusal at a chain end stores one, every further one (an agent retrying the same upload)
 * bumps {@code refusals} and {@code lastAt}. A new chain end (the chain moved on and broke again)
 * is a new one.
 *
 * @param chainEnd the collector's last seq for the host when the uploads were refused (0: none yet)
 * @param gotSeq the seq of the latest refused report
 * @param detail why the latest one was refused
 */
public record ChainBreak(String hostId, Kind kind, long chainEnd, long gotSeq, String detail, Instant firstAt,
        Instant lastAt, long refusals) {

    /** How the chain was broken; wire names equal the refusal's problem type. */
    public enum Kind {
        /** Reports are missing between the chain end and the refused report. */
        SEQ_GAP,
        /** The refused report's prev is not the hash of the chain end. */
        PREV_MISMATCH;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Kind parse(String wireName) {
            for (Kind k : values()) {
                if (k.wireName().equals(wireName)) return k;
            }
            throw new IllegalArgumentException("unknown chain break kind \"" + wireName + "\"");
        }
    }

    public ChainBreak {
        requireNonNull(hostId, "hostId");
        requireNonNull(kind, "kind");
        requireNonNull(detail, "detail");
        requireNonNull(firstAt, "firstAt");
        requireNonNull(lastAt, "lastAt");
        if (refusals < 1) throw new IllegalArgumentException("refusals must be >= 1, was " + refusals);
    }
}
