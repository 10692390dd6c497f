package io.assay.agent.ship;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What one {@link Shipper#shipOnce()} did.
 *
 * @param acked reports the collector acknowledged (and the spool marked) in this call
 * @param retryIn how long the shipper now waits before trying again (zero when it need not)
 * @param problem the collector's problem type or the network error ("" when none)
 */
public record ShipResult(Outcome outcome, int acked, Duration retryIn, String problem) {
    public enum Outcome {
        /** Nothing was pending. */
        IDLE,
        /** Still backing off; nothing was sent. */
        WAITING,
        /** The batch was accepted (some acks may have failed the hash check; see problem). */
        SENT,
        /** The collector refused a report (4xx problem); the accepted prefix was marked. */
        REFUSED,
        /** The collector refused the chain (lost reports, diverged chain) and the spool healed its side; send again now. */
        HEALED,
        /** The collector is busy or down, or the network failed; will retry after {@code retryIn}. */
        RETRY
    }

    public ShipResult {
        requireNonNull(outcome, "outcome");
        requireNonNull(retryIn, "retryIn");
        requireNonNull(problem, "problem");
    }
}
