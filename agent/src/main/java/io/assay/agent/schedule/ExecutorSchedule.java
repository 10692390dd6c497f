package io.assay.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Schedule} on a {@link ScheduledThreadPoolExecutor} with a few named daemon threads
 * ({@code assay-job-1}, ...). It replaced Quartz, which put about 150 classes (its own and
 * {@code java.beans}, through which it sets its properties) and a scheduler thread into the daemon
 * for four fixed-period jobs (README "Footprint").
 *
 * <p>Periods are kept on the monotonic clock ({@link System#nanoTime}): no wall-clock time is
 * read, so a clock step neither bunches nor stalls runs. A run that overran its period, or runs
 * missed while the host slept, are skipped, not replayed in a burst: the next run is the next
 * period boundary still ahead. A job never runs concurrently with itself: an on-demand run waits
 * for the run under way. Thread-safe.
 */
public final class ExecutorSchedule implements Schedule {
    private static final Logger log = LoggerFactory.getLogger(ExecutorSchedule.class);

    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, Job> jobs = new HashMap<>();
    private boolean started;

    public ExecutorSchedule(int threads) {
        if (threads < 1 || threads > 4) throw new IllegalArgumentException("threads must be 1..4");
        AtomicInteger n = new AtomicInteger();
        ThreadFactory named = r -> {
            Thread t = new Thread(r, "assay-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        executor = new ScheduledThreadPoolExecutor(threads, named);
        executor.setRemoveOnCancelPolicy(true);
        // close() waits for runs under way, never starts the ones still waiting.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public synchronized void every(String name, Duration period, Duration initialDelay, Runnable job) {
        requireNonNull(name, "name");
        requireNonNull(job, "job");
        if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive: " + period);
        if (initialDelay.isNegative()) throw new IllegalArgumentException("initialDelay must not be negative: " + initialDelay);
        if (jobs.containsKey(name)) throw new IllegalArgumentException("job " + name + " is already scheduled");
        Job j = new Job(name, period.toNanos(), job);
        jobs.put(name, j);
        j.nextNanos = System.nanoTime() + initialDelay.toNanos();
        if (started) schedule(j);
    }

    @Override
    public void runNow(String name) {
        Job j;
        synchronized (this) {
            j = jobs.get(name);
        }
        if (j == null) throw new IllegalArgumentException("no job named " + name);
        try {
            executor.execute(j::runOnce);
        } catch (RejectedExecutionException e) {
            log.debug("job {} not run now: the schedule is closing", name);
        }
    }

    @Override
    public synchronized void start() {
        if (started) return;
        started = true;
        for (Job j : jobs.values()) schedule(j);
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("scheduler: jobs still running 30 s after close; interrupting them");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(Job j) {
        try {
            executor.schedule(() -> runPeriodic(j), j.nextNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("job {} not rescheduled: the schedule is closing", j.name);
        }
    }

    private void runPeriodic(Job j) {
        j.runOnce();
        long now = System.nanoTime();
        long next = j.nextNanos + j.periodNanos;
        if (next - now <= 0) next += ((now - next) / j.periodNanos + 1) * j.periodNanos; // skip what was missed
        j.nextNanos = next;
        schedule(j);
    }

    /** One named job; its monitor keeps its runs apart. {@code nextNanos} is confined to its periodic chain. */
    private static final class Job {
        final String name;
        final long periodNanos;
        final Runnable task;
        long nextNanos;

        Job(String name, long periodNanos, Runnable task) {
            this.name = name;
            this.periodNanos = periodNanos;
            this.task = task;
        }

        synchronized void runOnce() {
            try {
                task.run();
            } catch (RuntimeException e) {
                // The daemon never dies of one job's failure; it runs again at its next time.
                log.error("job {} failed: {}", name, e.toString(), e);
            }
        }
    }
}
