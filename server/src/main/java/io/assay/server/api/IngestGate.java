package io.assay.server.api;

import java.util.concurrent.Semaphore;
import java.util.random.RandomGenerator;

/**
 * Admission limit for report uploads: at most {@code max} in progress; the rest are told to come
 * back after a jittered 1–10 s. Without the jitter a fleet that reconnects after an outage would
 * retry in lock-step and hit the same wall again. Thread-safe.
 */
final class IngestGate {
    static final int MIN_RETRY_AFTER_SECONDS = 1;
    static final int MAX_RETRY_AFTER_SECONDS = 10;

    private final Semaphore permits;
    private final int max;
    private final RandomGenerator random;

    IngestGate(int max, RandomGenerator random) {
        this.permits = new Semaphore(max);
        this.max = max;
        this.random = random;
    }

    /** Takes a permit if one is free; the caller must {@link #exit()} after a {@code true}. */
    boolean tryEnter() {
        return permits.tryAcquire();
    }

    void exit() {
        permits.release();
    }

    int inFlight() {
        return max - permits.availablePermits();
    }

    /** Seconds to put in {@code Retry-After}: uniform in 1..10. */
    int retryAfterSeconds() {
        return random.nextInt(MIN_RETRY_AFTER_SECONDS, MAX_RETRY_AFTER_SECONDS + 1);
    }
}
