/**
 * What the JDBC backends of {@link io.assay.server.store.Store} share: the statements that are
 * plain SQL in both dialects, row mapping between domain records and columns
 * ({@link io.assay.server.store.jdbc.JdbcTx}), and the schema-script loader. Each backend
 * subclasses {@code JdbcTx} for its dialect's differences (statement lifetime, tie-break order
 * columns, row locking) and owns its connections, transactions and schema versioning.
 */
package io.assay.server.store.jdbc;
