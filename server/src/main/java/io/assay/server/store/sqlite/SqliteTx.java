package io.assay.server.store.sqlite;

import io.assay.server.store.HostRecord;
import io.assay.server.store.jdbc.JdbcTx;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The SQLite dialect of {@link JdbcTx}; one instance per transaction, on that transaction's
 * thread. Statements come from the connection's cache and stay open.
 */
final class SqliteTx extends JdbcTx {
    private final SqliteConnection c;

    SqliteTx(SqliteConnection c) {
        this.c = c;
    }

    @Override
    protected PreparedStatement prepare(String sql) throws SQLException {
        return c.prepare(sql);
    }

    @Override
    protected void release(PreparedStatement ps) {
        // cached by the connection
    }

    @Override
    protected String insertionOrderColumn() {
        return "rowid";
    }

    /**
     * A plain read: a write transaction here began {@code IMMEDIATE}, so it already holds the
     * whole database's write lock, against this process's other writers (the store's lock) and
     * other processes on the same file (SQLite's lock) alike.
     */
    @Override
    public Optional<HostRecord> lockHost(String hostId) {
        return findHost(hostId);
    }
}
