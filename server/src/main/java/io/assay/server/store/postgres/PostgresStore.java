package io.assay.server.store.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.assay.server.store.Store;
import io.assay.server.store.StoreException;
import io.assay.server.store.jdbc.SchemaScript;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Store} on a PostgreSQL database, possibly shared with other collectors. Thread-safe.
 *
 * <p>Unlike {@link io.assay.server.store.sqlite.SqliteStore} there is no store-wide writer lock:
 * several collectors share the database, so a Java lock would order nothing. Write transactions
 * run concurrently at READ COMMITTED; what must not interleave (checking and moving one host's
 * chain end) is serialised by {@link Tx#lockHost}, a row lock on the host, and guarded again by
 * the reports primary key and the compare-and-set on the chain end in
 * {@link io.assay.server.store.jdbc.JdbcTx#appendReport}. Read transactions are REPEATABLE READ,
 * READ ONLY: one snapshot for the whole work function.
 *
 * <p>Bounds: at most {@code poolSize} connections; waiting for a free connection and for a row
 * lock ({@code lock_timeout}) are both bounded by {@code busyTimeout}, after which the call fails
 * with {@link StoreException} instead of piling up.
 */
public final class PostgresStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);

    /** The schema version this build writes; newer databases are refused. */
    static final int SCHEMA_VERSION = 1;
    private static final String SCHEMA_RESOURCE = "/db/postgres/V1__schema.sql";
    /** Advisory lock key held while creating or checking the schema ("assay" in ASCII). */
    private static final long SCHEMA_LOCK = 0x6173736179L;
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&]*");

    private final String url;
    private final HikariDataSource pool;
    private final Duration busyTimeout;
    private volatile boolean closed;

    private PostgresStore(String url, HikariDataSource pool, Duration busyTimeout) {
        this.url = url;
        this.pool = pool;
        this.busyTimeout = busyTimeout;
    }

    /**
     * Connects to {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db}) and brings the schema
     * up to date (creating it in an empty database).
     *
     * @param password empty for none (trust or peer authentication)
     * @param poolSize most connections this store holds at once
     * @param busyTimeout how long a call waits for a free connection or a row lock before failing
     * @throws StoreException the server cannot be reached, refuses the login, or holds a newer schema
     */
    public static PostgresStore open(String jdbcUrl, String user, String password, int poolSize, Duration busyTimeout) {
        requireNonNull(jdbcUrl, "jdbcUrl");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        requireNonNull(busyTimeout, "busyTimeout");
        if (poolSize < 1) throw new IllegalArgumentException("poolSize must be >= 1, was " + poolSize);
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + redact(jdbcUrl));
        }
        String shown = redact(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setPoolName("assay-postgres");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        if (!password.isEmpty()) config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setAutoCommit(false);
        // Hikari's floor is 250 ms; shorter busy timeouts still bound the lock wait below.
        config.setConnectionTimeout(Math.max(250, busyTimeout.toMillis()));
        config.setConnectionInitSql("SET lock_timeout = '" + busyTimeout.toMillis() + "ms'");
        config.addDataSourceProperty("ApplicationName", "assay-server");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreException("Cannot connect to PostgreSQL at " + shown + " as user \"" + user + "\": "
                    + cause.getMessage() + ". Check that the server runs and accepts connections, the --db-url,"
                    + " --db-user, and the password (ASSAY_DB_PASSWORD or --db-password-file).", e);
        }
        PostgresStore store = new PostgresStore(shown, pool, busyTimeout);
        try {
            store.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return store;
    }

    /** {@code jdbcUrl} with any {@code password=} parameter blanked, for messages and logs. */
    static String redact(String jdbcUrl) {
        return PASSWORD_PARAM.matcher(jdbcUrl).replaceAll("$1***");
    }

    /** The database URL, password parameter blanked. */
    public String url() {
        return url;
    }

    private void migrate() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try {
                // Two collectors starting on an empty database: the second waits, then sees version 1.
                s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                int version = 0;
                boolean exists;
                try (ResultSet rs = s.executeQuery("SELECT to_regclass('schema_version') IS NOT NULL")) {
                    exists = rs.next() && rs.getBoolean(1);
                }
                if (exists) {
                    try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                        version = rs.next() ? rs.getInt(1) : 0;
                    }
                }
                if (version > SCHEMA_VERSION) {
                    throw new StoreException("Database " + url + " has schema version " + version
                            + " but this assay-server knows up to version " + SCHEMA_VERSION
                            + ". It was written by a newer assay-server; run that version instead.");
                }
                if (version == SCHEMA_VERSION) {
                    java.util.List<String> missing = SchemaScript.missing(c, SchemaScript.load(SCHEMA_RESOURCE));
                    if (!missing.isEmpty()) throw new StoreException(SchemaScript.outdatedMessage(url, missing));
                }
                if (version < SCHEMA_VERSION) {
                    for (String sql : SchemaScript.load(SCHEMA_RESOURCE)) s.execute(sql);
                    s.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + SCHEMA_VERSION + ", "
                            + System.currentTimeMillis() + ")");
                    log.info("{}: created schema version {}", url, SCHEMA_VERSION);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("Cannot create or check the schema of " + url + ": " + e.getMessage()
                    + ". The user needs CREATE rights on the database's schema the first time.", e);
        }
    }

    @Override
    public <T> T inTransaction(Work<Tx, T> work) {
        requireNonNull(work, "work");
        // Explicit: the chain-end locking assumes READ COMMITTED, whatever the server's default is.
        return run("SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE", work);
    }

    @Override
    public <T> T read(Work<ReadTx, T> work) {
        requireNonNull(work, "work");
        return run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", work::apply);
    }

    private <T> T run(String begin, Work<Tx, T> work) {
        checkOpen();
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            checkOpen();
            throw new StoreException("No connection to " + url + " within " + busyTimeout.toMillis()
                    + " ms (pool of " + pool.getMaximumPoolSize() + "): " + e.getMessage(), e);
        }
        boolean done = false;
        try {
            // The driver sends BEGIN with this first statement, so it sets this transaction.
            try (Statement s = c.createStatement()) {
                s.execute(begin);
            }
            T result = work.apply(new PostgresTx(c));
            c.commit();
            done = true;
            return result;
        } catch (SQLException e) {
            throw new StoreException("Cannot run a transaction on " + url + ": " + e.getMessage()
                    + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")"), e);
        } finally {
            if (!done) rollbackQuietly(c);
            closeQuietly(c);
        }
    }

    /** Returns the connection to the pool; the transaction has ended, so a failure here changes nothing stored. */
    private void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.warn("{}: returning a connection to the pool failed: {}", url, e.getMessage());
        }
    }

    private void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.warn("{}: rollback failed: {}", url, e.getMessage());
        }
    }

    private void checkOpen() {
        if (closed) throw new StoreException("the store on " + url + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pool.close();
    }
}
