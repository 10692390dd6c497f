package io.assay.agent.ship;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter, bounded to {@code [min, max]}: after the n-th consecutive
 * failure the ceiling is {@code min * 2^(n-1)} capped at {@code max}, and the delay is uniform in
 * {@code [min, ceiling]}. Jitter keeps a fleet that lost its collector from coming back in step.
 * The {@link Random} is injected so tests can replay a sequence. Not thread-safe.
 */
public final class Backoff {
    private final Duration min;
    private final Duration max;
    private final Random random;
    private int failures;

    public Backoff(Duration min, Duration max, Random random) {
        this.min = requireNonNull(min, "min");
        this.max = requireNonNull(max, "max");
        this.random = requireNonNull(random, "random");
        if (max.compareTo(min) < 0) throw new IllegalArgumentException("max " + max + " is below min " + min);
    }

    /** Counts one more failure and returns how long to wait before the next try. */
    public Duration next() {
        failures++;
        Duration ceiling = ceiling();
        long spread = ceiling.toMillis() - min.toMillis();
        long jitter = spread <= 0 ? 0 : (long) (random.nextDouble() * (spread + 1));
        return min.plusMillis(jitter);
    }

    /** The largest delay the current failure count allows. */
    public Duration ceiling() {
        int shift = Math.max(0, Math.min(failures - 1, 40));
        long ms = min.toMillis() << shift;
        if (ms < 0 || ms > max.toMillis()) return max;
        return Duration.ofMillis(ms);
    }

    public int failures() {
        return failures;
    }

    public void reset() {
        failures = 0;
    }
}
