/**
 * The PostgreSQL backend of {@link io.assay.server.store.Store}, for fleets that outgrow one
 * SQLite file and for several collectors sharing one database. A bounded HikariCP pool; write
 * transactions run concurrently at READ COMMITTED and serialise per host on the host row
 * ({@code SELECT ... FOR UPDATE}); reads are REPEATABLE READ, READ ONLY snapshots. The schema is
 * {@code db/postgres/V1__schema.sql} on the class path, applied on open under an advisory lock
 * and tracked in the {@code schema_version} table.
 */
package io.assay.server.store.postgres;
