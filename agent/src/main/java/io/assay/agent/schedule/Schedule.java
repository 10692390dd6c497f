package io.assay.agent.schedule;

import java.time.Duration;

/**
 * Runs named jobs periodically. A job never runs concurrently with itself; a job that throws is
 * logged and runs again at its next time. Implementations own their threads and stop them in
 * {@link #close()}.
 */
public interface Schedule extends AutoCloseable {

    /** Registers {@code job} to run every {@code period}, first after {@code initialDelay}. */
    void every(String name, Duration period, Duration initialDelay, Runnable job);

    /** Runs the named job as soon as a thread is free (after its current run, if one is under way). */
    void runNow(String name);

    void start();

    /** Stops scheduling and waits for running jobs to finish. */
    @Override
    void close();
}
