package io.assay.agent.daemon;

import static java.util.Objects.requireNonNull;

import java.util.function.LongConsumer;

/**
 * The sample job as the scheduler runs it: the self-watch can make it skip every other tick (one
 * rung of its shedding ladder; windows still close when due, with half the samples), and each tick
 * that runs is timed for the metrics port. Skipping lives here rather than in the job so that a
 * skipped tick is not timed as a near-zero cycle.
 *
 * <p>{@link #run} is confined to the scheduler's sample thread; {@link #shedEveryOtherTick} may be
 * called from any thread.
 */
final class SampleTicks implements Runnable {
    private final Runnable job;
    private final LongConsumer tickNanos;
    private volatile boolean everyOtherTick;
    private long ticks;

    /** @param tickNanos told the wall time of each tick that ran, in nanoseconds */
    SampleTicks(Runnable job, LongConsumer tickNanos) {
        this.job = requireNonNull(job, "job");
        this.tickNanos = requireNonNull(tickNanos, "tickNanos");
    }

    /** Skips every other tick from now on ({@code true}), or runs every tick again ({@code false}). */
    void shedEveryOtherTick(boolean shed) {
        everyOtherTick = shed;
    }

    @Override
    public void run() {
        if (everyOtherTick && ticks++ % 2 == 1) return;
        long start = System.nanoTime();
        try {
            job.run();
        } finally {
            tickNanos.accept(System.nanoTime() - start);
        }
    }
}
