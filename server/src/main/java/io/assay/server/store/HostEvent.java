package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Something an auditor must see about a host that is not a report: a fork in its chain, or a
 * second host presenting the same hardware identity.
 *
 * @param seq the seq concerned, 0 when the event is not about one report
 * @param evidence for a fork, the refused envelope JSON (validly signed, so it proves the fork)
 */
public record HostEvent(String hostId, Kind kind, long seq, String detail, Instant at, Optional<String> evidence) {

    /** Kinds of host event. */
    public enum Kind {
        /** Two different validly signed reports with one seq: cloned key or replay. */
        FORK,
        /** Another host enrolled with the same system UUID: probably a cloned VM. */
        CLONE_SUSPECTED,
        /** A report's window ends later than the collector's clock allows: the agent's clock is ahead. */
        CLOCK_SKEW,
        /** A known key re-enrolled presenting another hardware identity; the recorded one is kept. */
        IDENTITY_CHANGED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Kind parse(String wireName) {
            for (Kind k : values()) {
                if (k.wireName().equals(wireName)) return k;
            }
            throw new IllegalArgumentException("unknown host event kind \"" + wireName + "\"");
        }
    }

    public HostEvent {
        requireNonNull(hostId, "hostId");
        requireNonNull(kind, "kind");
        requireNonNull(detail, "detail");
        requireNonNull(at, "at");
        requireNonNull(evidence, "evidence");
    }
}
