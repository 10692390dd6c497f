/**
 * Ships spooled reports to the collector: batches in seq order, acknowledgements checked against
 * the spooled payload hashes, jittered exponential backoff, {@code Retry-After} honoured. Never
 * deletes an unacknowledged report.
 */
package io.assay.agent.ship;
