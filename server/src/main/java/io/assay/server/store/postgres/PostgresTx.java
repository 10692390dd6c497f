package io.assay.server.store.postgres;

import io.assay.server.store.HostRecord;
import io.assay.server.store.jdbc.JdbcTx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL dialect of {@link JdbcTx}; one instance per transaction, on that transaction's
 * thread. Statements are closed after use: the connection is pooled, and the driver keeps its
 * own per-connection cache of server-side prepared statements keyed by SQL text.
 */
final class PostgresTx extends JdbcTx {
    private static final Logger log = LoggerFactory.getLogger(PostgresTx.class);

    private final Connection c;

    PostgresTx(Connection c) {
        this.c = c;
    }

    @Override
    protected PreparedStatement prepare(String sql) throws SQLException {
        return c.prepareStatement(sql);
    }

    @Override
    protected void release(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException e) {
            log.debug("closing a statement failed: {}", e.getMessage());
        }
    }

    @Override
    protected String insertionOrderColumn() {
        return "row_id";
    }

    /**
     * {@code FOR UPDATE}: a second writer of this host, in this process or another collector,
     * blocks here until this transaction ends and then, at READ COMMITTED, reads the row as that
     * transaction left it. Bounded by the connection's {@code lock_timeout}.
     */
    @Override
    public Optional<HostRecord> lockHost(String hostId) {
        return queryOne("SELECT " + HOST_COLUMNS + " FROM hosts WHERE host_id = ? FOR UPDATE",
                ps -> ps.setString(1, hostId), JdbcTx::host);
    }

    /** {@code pg_try_advisory_xact_lock}: one sequencer among all collectors on this database. */
    @Override
    protected boolean tryAdvisoryXactLock(long key) {
        return queryOne("SELECT pg_try_advisory_xact_lock(?)", ps -> ps.setLong(1, key), rs -> rs.getBoolean(1))
                .orElse(false);
    }
}
