/**
 * When things run: a small {@link io.assay.agent.schedule.Schedule} seam over a scheduled thread pool, and the
 * agent's jobs as plain {@link java.lang.Runnable}s (sample, ship, purge) that tests run by hand.
 * The sample job also takes looks at just-exec'd processes from the exec-event thread
 * ({@link io.assay.agent.schedule.SampleJob#lookAtNew}), under its lock, so looks and ticks never overlap.
 */
package io.assay.agent.schedule;
