package io.assay.server.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.assay.server.store.Store;
import io.assay.server.store.StoreException;
import io.assay.server.store.jdbc.SchemaScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * {@link Store} on one SQLite file. Thread-safe.
 *
 * <p>Why one writer connection behind a lock: SQLite allows one writer at a time anyway, and
 * queueing writers on a Java lock is fairer and cheaper than letting them spin on
 * {@code SQLITE_BUSY}. Because a write transaction holds the database's write lock from its
 * start, {@link io.assay.server.store.Store.Tx#lockHost} is a plain read here. The busy timeout still matters for other processes on the same file (for
 * example {@code assay-server token create} while the collector runs). Writes begin
 * {@code IMMEDIATE} so a transaction never fails half-way when upgrading its read lock.
 *
 * <p>Durability: WAL with {@code synchronous=FULL}, because an ack tells the agent it may delete
 * the report from its spool; a commit must survive a power cut.
 */
public final class SqliteStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    /** The schema version this build writes; newer files are refused. */
    static final int SCHEMA_VERSION = 1;
    private static final String SCHEMA_RESOURCE = "/db/sqlite/V1__schema.sql";

    private final Path file;
    private final Duration busyTimeout;
    private final SqliteConnection writer;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final BlockingQueue<SqliteConnection> readers;
    private final List<SqliteConnection> all = new ArrayList<>();
    private volatile boolean closed;

    private SqliteStore(Path file, Duration busyTimeout, int readerCount) throws SQLException {
        this.file = file;
        this.busyTimeout = busyTimeout;
        this.writer = open(SQLiteConfig.TransactionMode.IMMEDIATE);
        all.add(writer);
        migrate(writer.connection());
        this.readers = new ArrayBlockingQueue<>(readerCount);
        for (int i = 0; i < readerCount; i++) {
            SqliteConnection r = open(SQLiteConfig.TransactionMode.DEFERRED);
            all.add(r);
            readers.add(r);
        }
    }

    /**
     * Opens (creating if needed) the database at {@code file} and brings its schema up to date.
     *
     * @param busyTimeout how long a statement waits for another process's lock before failing
     * @param readerCount reader connections (read transactions beyond this wait for one)
     * @throws StoreException the file cannot be opened, is not a database, or has a newer schema
     */
    public static SqliteStore open(Path file, Duration busyTimeout, int readerCount) {
        requireNonNull(file, "file");
        requireNonNull(busyTimeout, "busyTimeout");
        if (readerCount < 1) throw new IllegalArgumentException("readerCount must be >= 1, was " + readerCount);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new StoreException("Cannot open database " + file + ": directory " + parent
                    + " does not exist. Create it or pass another --db path.");
        }
        createPrivate(file);
        try {
            return new SqliteStore(file, busyTimeout, readerCount);
        } catch (SQLException e) {
            throw new StoreException("Cannot open database " + file + ": " + e.getMessage()
                    + ". Check that the path is a writable SQLite file of assay-server.", e);
        }
    }

    /**
     * Creates a missing database file readable by its owner only (0600): it holds the hosts'
     * identities and every report. SQLite gives its -wal and -shm files the same mode.
     */
    private static void createPrivate(Path file) {
        if (Files.exists(file)) return;
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // created by another process meanwhile; SQLite opens it as it is
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the directory's permissions are all there is
        } catch (java.io.IOException e) {
            throw new StoreException("Cannot create database " + file + ": " + e.getMessage()
                    + ". Check that its directory is writable.", e);
        }
    }

    public Path file() {
        return file;
    }

    private SqliteConnection open(SQLiteConfig.TransactionMode mode) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        config.enforceForeignKeys(true);
        config.setTransactionMode(mode);
        Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        return new SqliteConnection(c);
    }

    private void migrate(Connection c) throws SQLException {
        int version;
        try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version > SCHEMA_VERSION) {
            throw new StoreException("Database " + file + " has schema version " + version
                    + " but this assay-server knows up to version " + SCHEMA_VERSION
                    + ". It was written by a newer assay-server; run that version instead.");
        }
        if (version == SCHEMA_VERSION) {
            List<String> missing = SchemaScript.missing(c, SchemaScript.load(SCHEMA_RESOURCE));
            if (!missing.isEmpty()) throw new StoreException(SchemaScript.outdatedMessage(file.toString(), missing));
            return;
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String sql : SchemaScript.load(SCHEMA_RESOURCE)) s.execute(sql);
            s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        log.info("{}: created schema version {}", file, SCHEMA_VERSION);
    }

    @Override
    public <T> T inTransaction(Work<Tx, T> work) {
        requireNonNull(work, "work");
        try {
            if (!writeLock.tryLock(busyTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StoreException("Timed out after " + busyTimeout.toMillis() + " ms waiting for the write lock of "
                        + file + " (another write is running, queue length " + writeLock.getQueueLength() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the write lock of " + file, e);
        }
        try {
            checkOpen();
            return run(writer, work);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public <T> T read(Work<ReadTx, T> work) {
        requireNonNull(work, "work");
        SqliteConnection c;
        try {
            c = readers.poll(busyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a reader connection of " + file, e);
        }
        if (c == null) {
            throw new StoreException("Timed out after " + busyTimeout.toMillis()
                    + " ms waiting for a reader connection of " + file + " (all in use)");
        }
        try {
            checkOpen();
            return run(c, work::apply);
        } finally {
            readers.add(c);
        }
    }

    private <T> T run(SqliteConnection c, Work<Tx, T> work) {
        Connection conn = c.connection();
        try {
            conn.setAutoCommit(false);
        } catch (SQLException e) {
            throw new StoreException("Cannot begin a transaction on " + file + ": " + e.getMessage(), e);
        }
        boolean done = false;
        try {
            T result = work.apply(new SqliteTx(c));
            conn.commit();
            done = true;
            return result;
        } catch (SQLException e) {
            throw new StoreException("Cannot commit to " + file + ": " + e.getMessage(), e);
        } finally {
            if (!done) rollbackQuietly(conn);
            try {
                conn.setAutoCommit(true);
            } catch (SQLException e) {
                log.warn("{}: cannot end transaction mode: {}", file, e.getMessage());
            }
        }
    }

    private void rollbackQuietly(Connection conn) {
        try {
            conn.rollback();
        } catch (SQLException e) {
            log.warn("{}: rollback failed: {}", file, e.getMessage());
        }
    }

    private void checkOpen() {
        if (closed) throw new StoreException("the store on " + file + " is closed");
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) return;
            closed = true;
            for (SqliteConnection c : all) c.close();
        } finally {
            writeLock.unlock();
        }
    }
}
