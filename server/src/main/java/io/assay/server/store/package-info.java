/**
 * The collector's storage contract: a {@link io.assay.server.store.Store} hands out read-only and
 * read-write transactions over tokens, hosts, the report index, stored envelopes and host events.
 * Callers never see a JDBC {@code Connection}; the store owns commit and rollback. The interface
 * speaks only in domain records so that a second backend (PostgreSQL) can sit next to
 * {@link io.assay.server.store.sqlite} without touching ingest or the API.
 */
package io.assay.server.store;
