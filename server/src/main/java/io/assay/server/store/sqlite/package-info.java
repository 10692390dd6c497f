/**
 * The embedded SQLite backend of {@link io.assay.server.store.Store}: one database file in WAL
 * mode, one serialised writer connection and a small pool of reader connections. The schema is
 * {@code db/sqlite/V1__schema.sql} on the class path, applied on open and tracked in
 * {@code PRAGMA user_version}.
 */
package io.assay.server.store.sqlite;
