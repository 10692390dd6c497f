package io.assay.agent.spool;

import static java.util.Objects.requireNonNull;

import io.assay.agent.report.ReportDraft;
import io.assay.protocol.Chain;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's SQLite outbox of signed reports. Thread-safe: the sampling thread appends while the
 * shipping thread reads and acknowledges; every method holds the instance lock over one
 * connection, and each mutation is one transaction.
 *
 * <p>{@link #append} assigns {@code seq = chain end + 1} and {@code prev = chain end's payload
 * hash}, signs, inserts the envelope and advances the chain end (kept in the meta table, so
 * purging acknowledged rows never lets a seq be reused) in one transaction: after a crash
 * either both happened or neither did.
 *
 * <p>When {@code maxUnacked} reports are waiting, new windows are shed: counted, not written.
 * Old reports are never overwritten. The first append after space frees up first writes one
 * signed {@link Verdict#DEGRADED} gap report whose notes say how many windows were shed and
 * which period they covered.
 */
public final class Spool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private static final String HOST_ID = "host.id";
    private static final String CHAIN_SEQ = "chain.seq";
    private static final String CHAIN_HASH = "chain.hash";
    private static final String STARTS = "start.count";
    private static final String LAST_ERROR = "last.error";
    private static final String LAST_ERROR_MS = "last.error.ms";
    private static final String LAST_ACK_SEQ = "last.ack.seq";
    private static final String LAST_ACK_MS = "last.ack.ms";
    private static final String LAST_REPORT_SEQ = "last.report.seq";
    private static final String LAST_REPORT_MS = "last.report.ms";
    private static final String LAST_REPORT_VERDICT = "last.report.verdict";
    private static final String SHED_COUNT = "shed.count";
    private static final String SHED_FROM_MS = "shed.from.ms";
    private static final String SHED_TO_MS = "shed.to.ms";

    private final Path file;
    private final Clock clock;
    private final long maxUnacked;
    private final Connection conn;

    private Spool(Path file, Clock clock, long maxUnacked, Connection conn) {
        this.file = file;
        this.clock = clock;
        this.maxUnacked = maxUnacked;
        this.conn = conn;
    }

    /**
     * Opens (creating if needed) the spool at {@code file}.
     *
     * @param maxUnacked most unacknowledged reports kept before new windows are shed
     * @throws SpoolException the file cannot be opened or is not a spool database
     */
    public static Spool open(Path file, Clock clock, long maxUnacked) {
        requireNonNull(clock, "clock");
        if (maxUnacked < 1) throw new IllegalArgumentException("maxUnacked must be >= 1");
        Connection conn = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new SpoolException("Cannot open the spool " + file + ": its directory does not exist."
                        + " Check state.dir, or enroll first (assay-agent enroll) which creates it.");
            }
            conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = FULL");
                st.execute("CREATE TABLE IF NOT EXISTS reports ("
                        + " seq INTEGER PRIMARY KEY,"
                        + " payload_hash TEXT NOT NULL,"
                        + " envelope TEXT NOT NULL,"
                        + " window_start_ms INTEGER NOT NULL,"
                        + " window_end_ms INTEGER NOT NULL,"
                        + " verdict TEXT NOT NULL,"
                        + " created_ms INTEGER NOT NULL,"
                        + " acked_ms INTEGER)");
                st.execute("CREATE INDEX IF NOT EXISTS reports_acked ON reports(acked_ms)");
                st.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            }
            conn.setAutoCommit(false);
            return new Spool(file, clock, maxUnacked, conn);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw new SpoolException("Cannot open the spool database " + file + ": " + e.getMessage()
                    + ". If the file is damaged, stop the agent, move it aside for inspection, and re-enroll"
                    + " (assay-agent enroll --force): a new spool starts a new chain at seq 1.", e);
        }
    }

    /**
     * Reads the status of the spool at {@code file} for {@code assay-agent status}, which an
     * operator may run as root while the agent runs as its own user. SQLite creates the
     * {@code -wal} and {@code -shm} side files even for readers; left owned by root they would
     * lock the agent out of its own spool, so side files this call created are given the spool
     * file's owner.
     */
    public static SpoolStatus peekStatus(Path file, Clock clock) {
        Path wal = Path.of(file + "-wal");
        Path shm = Path.of(file + "-shm");
        boolean walExisted = Files.exists(wal);
        boolean shmExisted = Files.exists(shm);
        try (Spool spool = open(file, clock, Long.MAX_VALUE)) {
            return spool.status();
        } finally {
            if (!walExisted) matchOwner(file, wal);
            if (!shmExisted) matchOwner(file, shm);
        }
    }

    private static void matchOwner(Path reference, Path created) {
        try {
            if (!Files.exists(created)) return;
            var owner = Files.getOwner(reference);
            if (!owner.equals(Files.getOwner(created))) Files.setOwner(created, owner);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            log.warn("spool {}: cannot give {} the spool's owner ({}); if the agent cannot open its spool, chown it",
                    reference, created, e.toString());
        }
    }

    public Path file() {
        return file;
    }

    /** Where the chain ends: the last seq written and its payload hash; empty before the first report. */
    public synchronized Optional<Chain.Link> chainEnd() {
        return inTransaction(() -> {
            long seq = metaLong(CHAIN_SEQ);
            return seq == 0 ? Optional.<Chain.Link>empty() : Optional.of(new Chain.Link(seq, meta(CHAIN_HASH).orElse("")));
        });
    }

    /**
     * Numbers, chains, signs and stores {@code draft} as the host's next report, or sheds it when
     * the spool is full. See the class comment for the shedding and gap report.
     */
    public synchronized AppendResult append(ReportDraft draft, String hostId, Ed25519Signer signer) {
        requireNonNull(draft, "draft");
        requireNonNull(hostId, "hostId");
        requireNonNull(signer, "signer");
        return inTransaction(() -> {
            Optional<String> storedHost = meta(HOST_ID);
            if (storedHost.isEmpty()) {
                setMeta(HOST_ID, hostId);
            } else if (!storedHost.get().equals(hostId)) {
                throw new SpoolException("The spool " + file + " holds the chain of host " + storedHost.get()
                        + " but this agent is enrolled as " + hostId + ". Move the old spool aside and start again.");
            }
            long depth = depthInTx();
            List<Long> written = new ArrayList<>(2);
            long shed = metaLong(SHED_COUNT);
            if (shed > 0 && depth < maxUnacked) {
                long from = metaLong(SHED_FROM_MS);
                long to = metaLong(SHED_TO_MS);
                String note = "gap: " + shed + " report window(s) from " + Instant.ofEpochMilli(from) + " to "
                        + Instant.ofEpochMilli(to) + " were shed, not written, because the spool held "
                        + maxUnacked + " unacknowledged reports (spool.max.reports)";
                ReportDraft gap = new ReportDraft(from, to, draft.agentVersion(), draft.agentStartedMs(),
                        draft.rulesHash(), draft.allowlistHash(), LoadSummary.NONE, List.of(), List.of(),
                        Verdict.DEGRADED, List.of(note));
                written.add(insert(gap, hostId, signer));
                setMeta(SHED_COUNT, "0");
                depth++;
                log.warn("spool {}: wrote gap report seq {}: {}", file, written.get(0), note);
            }
            if (depth >= maxUnacked) {
                long count = metaLong(SHED_COUNT);
                if (count == 0) {
                    setMeta(SHED_FROM_MS, Long.toString(draft.windowStartMs()));
                    log.warn("spool {}: full ({} unacknowledged reports, spool.max.reports={}); shedding new windows"
                            + " until the collector acknowledges some", file, depth, maxUnacked);
                }
                setMeta(SHED_COUNT, Long.toString(count + 1));
                setMeta(SHED_TO_MS, Long.toString(draft.windowEndMs()));
                return new AppendResult(written, true);
            }
            written.add(insert(draft, hostId, signer));
            return new AppendResult(written, false);
        });
    }

    private long insert(ReportDraft draft, String hostId, Ed25519Signer signer) throws SQLException {
        long seq = metaLong(CHAIN_SEQ) + 1;
        String prev = seq == 1 ? "" : meta(CHAIN_HASH).orElse("");
        Report report = draft.toReport(hostId, seq, prev);
        Envelopes.SignedReport signed = Envelopes.seal(report, signer);
        long now = clock.millis();
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO reports"
                + " (seq, payload_hash, envelope, window_start_ms, window_end_ms, verdict, created_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, seq);
            ps.setString(2, signed.payloadHash());
            ps.setString(3, Json.toJson(signed.envelope()));
            ps.setLong(4, draft.windowStartMs());
            ps.setLong(5, draft.windowEndMs());
            ps.setString(6, draft.verdict().name());
            ps.setLong(7, now);
            ps.executeUpdate();
        }
        setMeta(CHAIN_SEQ, Long.toString(seq));
        setMeta(CHAIN_HASH, signed.payloadHash());
        setMeta(LAST_REPORT_SEQ, Long.toString(seq));
        setMeta(LAST_REPORT_MS, Long.toString(now));
        setMeta(LAST_REPORT_VERDICT, draft.verdict().name());
        return seq;
    }

    /** Up to {@code limit} unacknowledged reports, lowest seq first. */
    public synchronized List<SpoolEntry> pending(int limit) {
        return inTransaction(() -> {
            List<SpoolEntry> out = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT seq, payload_hash, envelope FROM reports WHERE acked_ms IS NULL ORDER BY seq LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SpoolEntry(rs.getLong(1), rs.getString(2),
                                Json.fromJson(rs.getString(3), Envelope.class)));
                    }
                }
            }
            return out;
        });
    }

    /** Marks {@code seqs} acknowledged now; returns how many were unacknowledged before. */
    public synchronized int markAcked(Collection<Long> seqs) {
        if (seqs.isEmpty()) return 0;
        return inTransaction(() -> {
            long now = clock.millis();
            int n = 0;
            long max = 0;
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE reports SET acked_ms = ? WHERE seq = ? AND acked_ms IS NULL")) {
                for (long seq : seqs) {
                    ps.setLong(1, now);
                    ps.setLong(2, seq);
                    n += ps.executeUpdate();
                    max = Math.max(max, seq);
                }
            }
            if (max > metaLong(LAST_ACK_SEQ)) setMeta(LAST_ACK_SEQ, Long.toString(max));
            setMeta(LAST_ACK_MS, Long.toString(now));
            return n;
        });
    }

    /** Deletes reports acknowledged before {@code olderThan}; returns how many. Unacknowledged ones stay. */
    public synchronized int purgeAcked(Instant olderThan) {
        return inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "DELETE FROM reports WHERE acked_ms IS NOT NULL AND acked_ms < ?")) {
                ps.setLong(1, olderThan.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    /** How many reports wait for the collector's acknowledgement. */
    public synchronized long depth() {
        return inTransaction(this::depthInTx);
    }

    /** Counts one more agent start and returns the new count. */
    public synchronized long recordStart() {
        return inTransaction(() -> {
            long n = metaLong(STARTS) + 1;
            setMeta(STARTS, Long.toString(n));
            return n;
        });
    }

    /** Records the last shipping problem (shown by {@code status}); no secrets, no payloads. */
    public synchronized void recordError(String error) {
        inTransaction(() -> {
            setMeta(LAST_ERROR, error);
            setMeta(LAST_ERROR_MS, Long.toString(clock.millis()));
            return null;
        });
    }

    public synchronized SpoolStatus status() {
        return inTransaction(() -> new SpoolStatus(depthInTx(), metaLong(LAST_REPORT_SEQ), metaLong(LAST_REPORT_MS),
                meta(LAST_REPORT_VERDICT).orElse(""), metaLong(LAST_ACK_SEQ), metaLong(LAST_ACK_MS),
                meta(LAST_ERROR).orElse(""), metaLong(LAST_ERROR_MS), metaLong(STARTS), metaLong(SHED_COUNT)));
    }

    @Override
    public synchronized void close() {
        closeQuietly(conn);
    }

    private long depthInTx() throws SQLException {
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM reports WHERE acked_ms IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Optional<String> meta(String key) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private long metaLong(String key) throws SQLException {
        Optional<String> v = meta(key);
        if (v.isEmpty()) return 0;
        try {
            return Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw new SpoolException("The spool " + file + " is damaged: meta " + key + " is \"" + v.get()
                    + "\", not a number. Move the file aside and re-enroll (assay-agent enroll --force).");
        }
    }

    private void setMeta(String key, String value) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private <T> T inTransaction(SqlWork<T> work) {
        try {
            T result = work.run();
            conn.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new SpoolException("Spool " + file + " failed: " + e.getMessage()
                    + ". Check free disk space and the file's permissions; nothing was changed by this operation.", e);
        } catch (RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private void rollbackQuietly() {
        try {
            conn.rollback();
        } catch (SQLException e) {
            log.debug("spool {}: rollback failed: {}", file, e.toString());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing spool connection failed: {}", e.toString());
        }
    }
}
