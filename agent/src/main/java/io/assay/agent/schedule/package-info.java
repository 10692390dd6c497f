/**
 * When things run: a small {@link io.assay.agent.schedule.Schedule} seam over a scheduled thread pool, and the
 * agent's jobs as plain {@link java.lang.Runnable}s (sample, ship, purge) that tests run by hand.
 */
package io.assay.agent.schedule;
