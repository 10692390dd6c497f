package io.assay.server.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JDBC connection and its prepared statements. Confined to one thread at a time. */
final class SqliteConnection {
    private static final Logger log = LoggerFactory.getLogger(SqliteConnection.class);

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    SqliteConnection(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** The cached statement for {@code sql}, parameters cleared. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                log.debug("closing a statement failed: {}", e.getMessage());
            }
        }
        statements.clear();
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing a database connection failed: {}", e.getMessage());
        }
    }
}
