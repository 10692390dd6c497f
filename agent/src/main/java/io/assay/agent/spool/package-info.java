/**
 * The durable outbox: reports are numbered, chained, signed and written to SQLite (WAL,
 * {@code synchronous=FULL}) before anything tries to ship them, and leave it only after the
 * collector acknowledged them and the retention period passed.
 */
package io.assay.agent.spool;
