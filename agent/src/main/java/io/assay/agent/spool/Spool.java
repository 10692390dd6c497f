package io.assay.agent.spool;

import static java.util.Objects.requireNonNull;

import io.assay.agent.report.ReportDraft;
import io.assay.protocol.Chain;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Hashes;
import io.assay.protocol.Json;
import io.assay.protocol.Hardware;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Report;
import io.assay.protocol.ReportEvent;
import io.assay.protocol.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
 * either both happened or neither did. A transaction that fails (disk full, I/O error) is rolled
 * back, the connection is replaced (SQLite may already have ended the transaction itself, which
 * left the old JDBC connection outside any transaction for good), and the work is tried once more.
 *
 * <p>Evidence policy when the spool is over its bounds ({@code maxUnacked} reports waiting, or
 * {@code maxBytes} of envelopes stored): first acknowledged reports kept for a collector restored
 * from backup go, oldest first; then runs of the oldest unacknowledged {@code CLEAN} window reports
 * are folded into one signed {@link ReportEvent.Kind#SUMMARY} report each (their seq range, span,
 * verdict counts and payload hashes) and the reports after them are renumbered and signed again;
 * only when nothing can be folded is a new {@code CLEAN} or {@code DEGRADED} window shed (counted,
 * and recorded as a signed {@link ReportEvent.Kind#SHED} report once space returns). {@code MINING}
 * and {@code SUSPECT} windows and event reports are always written.
 *
 * <p>Healing: a spooled report that cannot be read back is moved to the {@code quarantine} table
 * (kept as evidence) and replaced in the chain by a signed {@link ReportEvent.Kind#GAP} report;
 * {@link #healChain} answers a collector's chain refusal by resending what it lost, or by
 * continuing from its chain end in a new epoch; {@link #openReplacingCorrupt} moves a corrupt
 * spool file aside and starts a new one whose first report is a signed gap. Event reports need
 * the signing identity: {@link #bind} it before they can be written.
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
    /** "1" while an agent run has this spool and has not stopped cleanly. */
    private static final String RUNNING = "run.active";
    /** Start of the window the running agent has open (the end of the last one it closed). */
    private static final String WINDOW_OPEN_MS = "window.open.ms";
    private static final String CONFIG_HASH = "config.hash";
    private static final String EPOCHS = "chain.epochs";
    /** Why this spool replaced a corrupt one; written as a signed gap at the next start, then removed. */
    private static final String REPLACED_REASON = "replaced.reason";

    /** A prev that links to nothing: the collector answers prev-mismatch with its chain end, and healChain continues there. */
    private static final String NO_LINK = "0".repeat(64);
    /** Most window reports one summary folds (its payload lists their hashes: 65 bytes each). */
    static final int FOLD_MAX_RUN = 512;
    /** Byte bounds: when folding, fold until the spool is at most this share of maxBytes. */
    private static final double FOLD_TARGET = 0.75;

    private final Path file;
    private final Clock clock;
    private final long maxUnacked;
    private final long maxBytes;
    private Connection conn;
    private String hostId;
    private Ed25519Signer signer;
    private EventStamp stamp;
    /** Reports moved to quarantine in the current transaction, by seq, until a GAP report replaces each. */
    private final Map<Long, Row> quarantined = new TreeMap<>();
    private String lastQuarantineProblem = "";
    /** Where a failure to write is shown while the spool cannot record it (the daemon's spool only). */
    private Optional<ProblemFile> problems = Optional.empty();

    private Spool(Path file, Clock clock, long maxUnacked, long maxBytes, Connection conn) {
        this.file = file;
        this.clock = clock;
        this.maxUnacked = maxUnacked;
        this.maxBytes = maxBytes;
        this.conn = conn;
    }

    /** Opens (creating if needed) the spool at {@code file} without a byte bound. */
    public static Spool open(Path file, Clock clock, long maxUnacked) {
        return open(file, clock, maxUnacked, Long.MAX_VALUE);
    }

    /**
     * Opens (creating if needed) the spool at {@code file}.
     *
     * @param maxUnacked most unacknowledged reports kept before clean windows are folded or shed
     * @param maxBytes most bytes of stored envelopes before clean windows are folded or shed
     * @throws SpoolException the file cannot be opened or is not a spool database
     */
    public static Spool open(Path file, Clock clock, long maxUnacked, long maxBytes) {
        requireNonNull(clock, "clock");
        if (maxUnacked < 1) throw new IllegalArgumentException("maxUnacked must be >= 1");
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be >= 1");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new SpoolException("Cannot open the spool " + file + ": its directory does not exist."
                    + " Check state.dir, or enroll first (assay-agent enroll) which creates it.");
        }
        try {
            return new Spool(file, clock, maxUnacked, maxBytes, connect(file));
        } catch (SQLException e) {
            throw new SpoolException("Cannot open the spool database " + file + ": " + e.getMessage()
                    + ". If the file is damaged, stop the agent and move it aside for inspection: the agent then"
                    + " starts a new spool and records the break in the chain as a signed gap.", e);
        }
    }

    /**
     * As {@link #open(Path, Clock, long, long)}, but a spool file SQLite reports as corrupt (or not
     * a database) is renamed to {@code spool.db.corrupt-EPOCHMS} with its side files, kept intact
     * as evidence, and a new spool starts in its place. The next {@link #recordStart} writes the
     * break as a signed {@link ReportEvent.Kind#GAP} report. Other failures (permissions) still throw.
     */
    public static Spool openReplacingCorrupt(Path file, Clock clock, long maxUnacked, long maxBytes) {
        Optional<String> corrupt = corruption(file);
        if (corrupt.isEmpty()) return open(file, clock, maxUnacked, maxBytes);
        Path aside = Path.of(file + ".corrupt-" + clock.millis());
        try {
            for (String side : List.of("-wal", "-shm")) {
                Path p = Path.of(file + side);
                if (Files.exists(p)) Files.move(p, Path.of(aside + side), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SpoolException("The spool " + file + " is corrupt (" + corrupt.get() + ") and cannot be moved"
                    + " aside (" + e + "). Move it aside by hand and start the agent again.", e);
        }
        log.error("spool {}: corrupt ({}); moved aside intact to {} and starting a new spool. Reports not yet"
                + " acknowledged in it are not sent; the chain records the break as a signed gap.", file, corrupt.get(), aside);
        Spool spool = open(file, clock, maxUnacked, maxBytes);
        spool.inTransaction(() -> {
            spool.setMeta(REPLACED_REASON, "the spool file was corrupt (" + corrupt.get() + ") and was moved aside to "
                    + aside + "; the reports it held that the collector had not acknowledged are not in this chain");
            return null;
        });
        return spool;
    }

    /** Why SQLite finds {@code file} corrupt, or empty when it opens and checks fine (or does not exist). */
    private static Optional<String> corruption(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
            try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                String first = rs.next() ? rs.getString(1) : "no answer";
                if (!"ok".equals(first)) return Optional.of("quick_check: " + first);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
                rs.next();
            }
            return Optional.empty();
        } catch (SQLException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("SQLITE_CORRUPT") || m.contains("SQLITE_NOTADB") ? Optional.of(m) : Optional.empty();
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement st = c.createStatement()) {
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
            if (!hasColumn(st, "reports", "event_kind")) {
                // Spools written before event reports existed: their rows are all window reports.
                st.execute("ALTER TABLE reports ADD COLUMN event_kind TEXT NOT NULL DEFAULT ''");
            }
            st.execute("CREATE TABLE IF NOT EXISTS quarantine ("
                    + " seq INTEGER NOT NULL,"
                    + " payload_hash TEXT NOT NULL,"
                    + " envelope TEXT NOT NULL,"
                    + " window_start_ms INTEGER NOT NULL,"
                    + " window_end_ms INTEGER NOT NULL,"
                    + " verdict TEXT NOT NULL,"
                    + " reason TEXT NOT NULL,"
                    + " quarantined_ms INTEGER NOT NULL)");
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        c.setAutoCommit(false);
        return c;
    }

    private static boolean hasColumn(Statement st, String table, String column) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) return true;
            }
        }
        return false;
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

    /**
     * From now on, a failed operation is also written to the {@link ProblemFile} beside the spool
     * (what {@code assay-agent status} shows when the spool cannot be written, e.g. a full disk),
     * and the next successful write clears it. Called by the daemon only: {@code status}, run as
     * another user, must not create files in the state directory.
     */
    public synchronized void keepProblemFile() {
        Path at = ProblemFile.besides(file);
        try {
            problems = Optional.of(ProblemFile.open(at));
        } catch (IOException e) {
            log.warn("spool {}: cannot create {} ({}); while the spool cannot be written, `assay-agent status` will not"
                    + " show why (the log does)", file, at, e.toString());
        }
    }

    /** The problem the spool has now that it may be unable to record in itself (see {@link #keepProblemFile}). */
    public synchronized Optional<ProblemFile.Problem> problemNow() {
        return problems.flatMap(ProblemFile::current);
    }

    /**
     * Sets who signs the spool's own event reports. The daemon binds at start; until then
     * lifecycle, gap, summary and epoch reports cannot be written (and unreadable reports are
     * only skipped, not replaced).
     */
    public synchronized void bind(String hostId, Ed25519Signer signer, EventStamp stamp) {
        this.hostId = requireNonNull(hostId, "hostId");
        this.signer = requireNonNull(signer, "signer");
        this.stamp = requireNonNull(stamp, "stamp");
    }

    /** Where the chain ends: the last seq written and its payload hash; empty before the first report. */
    public synchronized Optional<Chain.Link> chainEnd() {
        return inTransaction(() -> {
            long seq = metaLong(CHAIN_SEQ);
            return seq == 0 ? Optional.<Chain.Link>empty() : Optional.of(new Chain.Link(seq, meta(CHAIN_HASH).orElse("")));
        });
    }

    /**
     * Numbers, chains, signs and stores {@code draft} as the host's next report, making room or
     * shedding as the class comment says. Also records the window as closed, so a crash is later
     * dated from the end of this window.
     */
    public synchronized AppendResult append(ReportDraft draft, String hostId, Ed25519Signer signer) {
        requireNonNull(draft, "draft");
        requireNonNull(hostId, "hostId");
        requireNonNull(signer, "signer");
        return inTransaction(() -> {
            checkHost(hostId);
            setMeta(WINDOW_OPEN_MS, Long.toString(draft.windowEndMs()));
            List<Long> written = new ArrayList<>(2);
            long shed = metaLong(SHED_COUNT);
            boolean evidence = draft.verdict() == Verdict.MINING || draft.verdict() == Verdict.SUSPECT;
            boolean full = !makeRoom();
            if (shed > 0 && (!full || evidence)) {
                long from = metaLong(SHED_FROM_MS);
                long to = metaLong(SHED_TO_MS);
                String note = "gap: " + shed + " report window(s) from " + Instant.ofEpochMilli(from) + " to "
                        + Instant.ofEpochMilli(to) + " were shed, not written, because the spool was full ("
                        + maxUnacked + " reports, spool.max.reports, or " + maxBytes + " bytes, spool.max.bytes)"
                        + " and held nothing clean left to fold";
                Report gap = new Report(Report.FORMAT_VERSION, hostId, 1, "", from, to, draft.agentVersion(),
                        draft.agentStartedMs(), draft.rulesHash(), draft.allowlistHash(), LoadSummary.NONE, List.of(),
                        List.of(), Verdict.DEGRADED, List.of(note), Hardware.NONE, List.of(ReportEvent.of(ReportEvent.Kind.SHED, note)), List.of());
                written.add(insertAtEnd(gap, signer));
                setMeta(SHED_COUNT, "0");
                log.warn("spool {}: wrote shed report seq {}: {}", file, written.get(0), note);
            }
            if (full && !evidence) {
                long count = metaLong(SHED_COUNT);
                if (count == 0) {
                    setMeta(SHED_FROM_MS, Long.toString(draft.windowStartMs()));
                    log.warn("spool {}: full ({} unacknowledged reports, {} bytes) and nothing clean left to fold;"
                            + " shedding new clean windows (MINING and SUSPECT ones are still written) until the"
                            + " collector acknowledges some", file, depthInTx(), bytesInTx());
                }
                setMeta(SHED_COUNT, Long.toString(count + 1));
                setMeta(SHED_TO_MS, Long.toString(draft.windowEndMs()));
                return new AppendResult(written, true);
            }
            long seq = metaLong(CHAIN_SEQ) + 1;
            String prev = seq == 1 ? "" : meta(CHAIN_HASH).orElse("");
            written.add(insertAtEnd(draft.toReport(hostId, seq, prev), signer));
            return new AppendResult(written, false);
        });
    }

    private void checkHost(String hostId) throws SQLException {
        Optional<String> storedHost = meta(HOST_ID);
        if (storedHost.isEmpty()) {
            setMeta(HOST_ID, hostId);
        } else if (!storedHost.get().equals(hostId)) {
            throw new SpoolException("The spool " + file + " holds the chain of host " + storedHost.get()
                    + " but this agent is enrolled as " + hostId + ". Move the old spool aside and start again.");
        }
    }

    // --- lifecycle ---

    /** Counts one more agent start and returns the new count (no event report: see {@link #recordStart(String)}). */
    public synchronized long recordStart() {
        return inTransaction(() -> {
            long n = metaLong(STARTS) + 1;
            setMeta(STARTS, Long.toString(n));
            return n;
        });
    }

    /**
     * An agent run begins (the spool must be {@link #bind bound}): writes, in this order, a
     * {@code GAP} report when this spool replaced a corrupt one, a {@code CRASH} report when the
     * previous run never stopped cleanly (its window {@code [start of the window it had open, now]}:
     * the agent was down or blind then), a {@code START} report, and a {@code CONFIG} report when
     * {@code configHash} differs from the previous run's.
     *
     * @param configHash a hash of the configuration and rules in force
     * @return the seqs written
     */
    public synchronized List<Long> recordStart(String configHash) {
        requireBound();
        return inTransaction(() -> {
            checkHost(hostId);
            long now = clock.millis();
            List<Long> seqs = new ArrayList<>();
            Optional<String> replaced = meta(REPLACED_REASON);
            if (replaced.isPresent()) {
                seqs.add(insertEvent(ReportEvent.of(ReportEvent.Kind.GAP, replaced.get()), now, now, Verdict.DEGRADED));
                deleteMeta(REPLACED_REASON);
            }
            if ("1".equals(meta(RUNNING).orElse("0"))) {
                long from = Math.min(now, metaLong(WINDOW_OPEN_MS) == 0 ? metaLong(LAST_REPORT_MS) : metaLong(WINDOW_OPEN_MS));
                String reason = "the previous agent run ended without a clean stop (killed, crashed, out of memory or"
                        + " power lost) while its window from " + Instant.ofEpochMilli(from) + " was open; nothing was"
                        + " observed from then until this start at " + Instant.ofEpochMilli(now);
                seqs.add(insertEvent(ReportEvent.of(ReportEvent.Kind.CRASH, reason), from, now, Verdict.DEGRADED));
                log.warn("spool {}: {}", file, reason);
            }
            long n = metaLong(STARTS) + 1;
            setMeta(STARTS, Long.toString(n));
            seqs.add(insertEvent(ReportEvent.of(ReportEvent.Kind.START, "agent " + stamp.agentVersion()
                    + " started (start #" + n + " on this spool)"), now, now, Verdict.DEGRADED));
            Optional<String> before = meta(CONFIG_HASH);
            if (before.isPresent() && !before.get().equals(configHash)) {
                seqs.add(insertEvent(ReportEvent.of(ReportEvent.Kind.CONFIG, "the configuration or rules changed since the"
                        + " previous run (hash " + before.get() + " -> " + configHash + ")"), now, now, Verdict.DEGRADED));
            }
            setMeta(CONFIG_HASH, configHash);
            setMeta(RUNNING, "1");
            setMeta(WINDOW_OPEN_MS, Long.toString(now));
            return seqs;
        });
    }

    /**
     * The agent run ends cleanly: writes a {@code STOP} report whose window is the window left
     * open (not judged), and marks the run stopped so the next start is not taken for a crash.
     */
    public synchronized long recordStop(String reason) {
        requireBound();
        return inTransaction(() -> {
            long now = clock.millis();
            long from = Math.min(now, metaLong(WINDOW_OPEN_MS) == 0 ? now : metaLong(WINDOW_OPEN_MS));
            long seq = insertEvent(ReportEvent.of(ReportEvent.Kind.STOP, reason + "; the window open since "
                    + Instant.ofEpochMilli(from) + " was not judged"), from, now, Verdict.DEGRADED);
            setMeta(RUNNING, "0");
            return seq;
        });
    }

    /** Writes one event report (for example optional work shed by the self-watch) over {@code [fromMs, toMs]}. */
    public synchronized long recordEvent(ReportEvent event, long fromMs, long toMs) {
        requireBound();
        return inTransaction(() -> insertEvent(event, fromMs, toMs, Verdict.DEGRADED));
    }

    private void requireBound() {
        if (signer == null) throw new IllegalStateException("the spool is not bound to a signer; call bind first");
    }

    private long insertEvent(ReportEvent event, long fromMs, long toMs, Verdict verdict) throws SQLException {
        return insertAtEnd(eventReport(event, fromMs, toMs, verdict), signer);
    }

    /** An event report at a placeholder chain position (seq 1); it is positioned when inserted. */
    private Report eventReport(ReportEvent event, long fromMs, long toMs, Verdict verdict) {
        return new Report(Report.FORMAT_VERSION, hostId, 1, "", fromMs, Math.max(fromMs, toMs), stamp.agentVersion(),
                stamp.agentStartedMs(), stamp.rulesHash(), stamp.allowlistHash(), LoadSummary.NONE, List.of(), List.of(),
                verdict, List.of(event.reason()), Hardware.NONE, List.of(event), List.of());
    }

    /** Seals {@code report} as the next link of the chain (whatever seq/prev it carried) and stores it. */
    private long insertAtEnd(Report report, Ed25519Signer key) throws SQLException {
        long seq = metaLong(CHAIN_SEQ) + 1;
        String prev = seq == 1 ? "" : meta(CHAIN_HASH).orElse("");
        return insertAt(report.withChainPosition(seq, prev), key);
    }

    private long insertAt(Report report, Ed25519Signer key) throws SQLException {
        Envelopes.SignedReport signed = Envelopes.seal(report, key);
        long now = clock.millis();
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO reports"
                + " (seq, payload_hash, envelope, window_start_ms, window_end_ms, verdict, created_ms, event_kind)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, report.seq());
            ps.setString(2, signed.payloadHash());
            ps.setString(3, Json.toJson(signed.envelope()));
            ps.setLong(4, report.windowStartMs());
            ps.setLong(5, report.windowEndMs());
            ps.setString(6, report.verdict().name());
            ps.setLong(7, now);
            ps.setString(8, report.events().isEmpty() ? "" : report.events().get(0).kind().wireName());
            ps.executeUpdate();
        }
        setMeta(CHAIN_SEQ, Long.toString(report.seq()));
        setMeta(CHAIN_HASH, signed.payloadHash());
        setMeta(LAST_REPORT_SEQ, Long.toString(report.seq()));
        setMeta(LAST_REPORT_MS, Long.toString(now));
        setMeta(LAST_REPORT_VERDICT, report.verdict().name());
        return report.seq();
    }

    // --- bounds: purge retained acks, fold clean runs ---

    /** Brings the spool under its bounds if it can; false when it is still full. */
    private boolean makeRoom() throws SQLException {
        if (!overBounds()) return true;
        // Acknowledged reports kept for a restored collector go first, oldest first; the newest
        // acknowledged one stays, as the link a quarantined successor is re-chained to.
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM reports WHERE seq IN (SELECT seq FROM reports"
                + " WHERE acked_ms IS NOT NULL AND seq < (SELECT max(seq) FROM reports WHERE acked_ms IS NOT NULL)"
                + " ORDER BY seq LIMIT 256)")) {
            while (overBounds() && ps.executeUpdate() > 0) {
                // repeat until under bounds or nothing acknowledged is left to drop
            }
        }
        if (!overBounds()) return true;
        if (signer != null) fold();
        return !overBounds();
    }

    private boolean overBounds() throws SQLException {
        return depthInTx() >= maxUnacked || bytesInTx() >= maxBytes;
    }

    private long bytesInTx() throws SQLException {
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(sum(length(envelope)), 0) FROM reports")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private record Row(long seq, String hash, String verdict, String eventKind, long bytes, long startMs, long endMs) {}

    /**
     * Folds runs of consecutive unacknowledged CLEAN window reports, oldest first, each into one
     * signed SUMMARY report, until the spool is at {@link #FOLD_TARGET} of its bounds; the reports
     * after the first fold are renumbered and signed again so the chain stays continuous.
     */
    private void fold() throws SQLException {
        long lastAcked = 0;
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(seq), 0) FROM reports WHERE acked_ms IS NOT NULL")) {
            rs.next();
            lastAcked = rs.getLong(1);
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT seq, payload_hash, verdict, event_kind, length(envelope),"
                + " window_start_ms, window_end_ms FROM reports WHERE acked_ms IS NULL AND seq > ? ORDER BY seq")) {
            ps.setLong(1, lastAcked);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7)));
                }
            }
        }
        long bytes = bytesInTx();
        long depth = depthInTx();
        long byteTarget = maxBytes == Long.MAX_VALUE ? Long.MAX_VALUE : (long) (maxBytes * FOLD_TARGET);
        long depthTarget = (long) (maxUnacked * FOLD_TARGET);
        List<List<Row>> runs = new ArrayList<>();
        List<Row> run = new ArrayList<>();
        for (Row r : rows) {
            if (bytes <= byteTarget && depth <= depthTarget) break;
            boolean foldable = r.verdict().equals(Verdict.CLEAN.name()) && r.eventKind().isEmpty()
                    && (run.isEmpty() || run.get(run.size() - 1).seq() + 1 == r.seq()) && run.size() < FOLD_MAX_RUN;
            if (foldable) {
                run.add(r);
                continue;
            }
            if (run.size() >= 2) {
                runs.add(run);
                bytes -= run.stream().mapToLong(Row::bytes).sum();
                depth -= run.size() - 1;
            }
            run = new ArrayList<>();
            if (r.verdict().equals(Verdict.CLEAN.name()) && r.eventKind().isEmpty()) run.add(r);
        }
        if (run.size() >= 2 && (bytes > byteTarget || depth > depthTarget)) runs.add(run);
        if (runs.isEmpty()) return;

        long from = runs.get(0).get(0).seq();
        Map<Long, List<Row>> runByStart = new LinkedHashMap<>();
        for (List<Row> r : runs) runByStart.put(r.get(0).seq(), r);
        List<Report> rebuilt = new ArrayList<>();
        List<Long> seqs = seqsFrom(from);
        long skipThrough = 0;
        for (long seq : seqs) {
            if (seq <= skipThrough) continue;
            List<Row> r = runByStart.get(seq);
            if (r != null) {
                rebuilt.add(summary(r));
                skipThrough = r.get(r.size() - 1).seq();
                continue;
            }
            Optional<Report> report = readOrQuarantine(seq);
            report.ifPresent(rebuilt::add);
            if (report.isEmpty()) rebuilt.add(quarantineGap(seq));
        }
        rewriteFrom(from, prevOf(from), rebuilt);
        int folded = runs.stream().mapToInt(List::size).sum();
        log.warn("spool {}: over its bounds; folded {} clean report(s) in {} run(s) into signed summaries from seq {}",
                file, folded, runs.size(), from);
    }

    private Report summary(List<Row> run) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Row r : run) counts.merge(r.verdict(), 1, Integer::sum);
        Row first = run.get(0);
        Row last = run.get(run.size() - 1);
        String reason = run.size() + " clean window report(s), seq " + first.seq() + ".." + last.seq() + " from "
                + Instant.ofEpochMilli(first.startMs()) + " to " + Instant.ofEpochMilli(last.endMs())
                + ", folded into this summary because the spool reached its size bound while the collector was not"
                + " acknowledging; their payload hashes are listed";
        ReportEvent event = new ReportEvent(ReportEvent.Kind.SUMMARY, reason, first.seq(), last.seq(), counts,
                run.stream().map(Row::hash).toList());
        return eventReport(event, first.startMs(), last.endMs(), Verdict.CLEAN);
    }

    private List<Long> seqsFrom(long from) throws SQLException {
        List<Long> seqs = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT seq FROM reports WHERE seq >= ? ORDER BY seq")) {
            ps.setLong(1, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) seqs.add(rs.getLong(1));
            }
        }
        return seqs;
    }

    /**
     * Replaces every row from {@code fromSeq} on with {@code reports}, numbered from
     * {@code fromSeq} and chained from {@code prev}, signed again and unacknowledged.
     */
    private void rewriteFrom(long fromSeq, String prev, List<Report> reports) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM reports WHERE seq >= ?")) {
            ps.setLong(1, fromSeq);
            ps.executeUpdate();
        }
        long seq = fromSeq;
        String link = prev;
        if (reports.isEmpty()) {
            setMeta(CHAIN_SEQ, Long.toString(fromSeq - 1));
            setMeta(CHAIN_HASH, prev);
            return;
        }
        for (Report r : reports) {
            insertAt(r.withChainPosition(seq, seq == 1 ? "" : link), signer);
            link = meta(CHAIN_HASH).orElse("");
            seq++;
        }
    }

    /** The payload hash {@code seq} must link to: the stored predecessor's, "" for seq 1 or when it is gone. */
    private String prevOf(long seq) throws SQLException {
        if (seq <= 1) return "";
        try (PreparedStatement ps = conn.prepareStatement("SELECT payload_hash FROM reports WHERE seq = ?")) {
            ps.setLong(1, seq - 1);
            try (ResultSet rs = ps.executeQuery()) {
                // Gone (never expected: the newest acknowledged row is kept): "" makes the collector answer
                // prev-mismatch with its chain end, and healChain continues from there.
                return rs.next() ? rs.getString(1) : NO_LINK;
            }
        }
    }

    // --- reading, quarantine ---

    /**
     * Up to {@code limit} unacknowledged reports, lowest seq first. A report that cannot be read
     * back (damaged envelope, payload not matching its hash) is moved to the quarantine table and,
     * once the spool is {@link #bind bound}, replaced in the chain by a signed GAP report.
     */
    public synchronized List<SpoolEntry> pending(int limit) {
        return inTransaction(() -> {
            for (int attempt = 0; ; attempt++) {
                List<SpoolEntry> out = new ArrayList<>();
                long damaged = -1;
                try (PreparedStatement ps = conn.prepareStatement(
                        "SELECT seq, payload_hash, envelope FROM reports WHERE acked_ms IS NULL ORDER BY seq LIMIT ?")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Optional<Envelope> e = readable(rs.getString(2), rs.getString(3)).envelope();
                            if (e.isEmpty()) {
                                damaged = rs.getLong(1);
                                break;
                            }
                            out.add(new SpoolEntry(rs.getLong(1), rs.getString(2), e.get()));
                        }
                    }
                }
                if (damaged < 0) return out;
                if (signer == null || attempt > 1000) {
                    // Not bound (status, tests) or something keeps failing: hand out what precedes the damage.
                    log.warn("spool {}: seq {} cannot be read back; it is replaced by a signed gap when the agent runs",
                            file, damaged);
                    return out;
                }
                replaceUnreadable(damaged);
            }
        });
    }

    private record Readable(Optional<Envelope> envelope, Optional<Report> report, String problem) {}

    private static Readable readable(String payloadHash, String envelopeJson) {
        try {
            Envelope e = Json.fromJson(envelopeJson, Envelope.class);
            byte[] payload = Envelopes.unverifiedPayload(e);
            String hash = Hashes.sha256Hex(payload);
            if (!hash.equals(payloadHash)) {
                return new Readable(Optional.empty(), Optional.empty(), "its payload hashes to " + hash
                        + ", not the indexed " + payloadHash);
            }
            return new Readable(Optional.of(e), Optional.of(Json.fromBytes(payload, Report.class)), "");
        } catch (RuntimeException e) {
            return new Readable(Optional.empty(), Optional.empty(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Quarantines {@code seq} and re-chains what follows it behind a signed GAP report in its place. */
    private void replaceUnreadable(long seq) throws SQLException {
        List<Report> rebuilt = new ArrayList<>();
        rebuilt.add(quarantineGap(seq));
        List<Long> seqs = seqsFrom(seq + 1);
        for (long s : seqs) {
            Optional<Report> r = readOrQuarantine(s);
            rebuilt.add(r.isPresent() ? r.get() : quarantineGap(s));
        }
        rewriteFrom(seq, prevOf(seq), rebuilt);
    }

    /** The stored report {@code seq}, or empty after moving it to quarantine (then {@link #quarantineGap} describes it). */
    private Optional<Report> readOrQuarantine(long seq) throws SQLException {
        if (quarantined.containsKey(seq)) return Optional.empty();
        try (PreparedStatement ps = conn.prepareStatement("SELECT payload_hash, envelope FROM reports WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                Readable r = readable(rs.getString(1), rs.getString(2));
                if (r.report().isPresent()) return r.report();
                lastQuarantineProblem = r.problem();
            }
        }
        quarantine(seq, lastQuarantineProblem);
        return Optional.empty();
    }

    private void quarantine(long seq, String problem) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO quarantine (seq, payload_hash, envelope,"
                + " window_start_ms, window_end_ms, verdict, reason, quarantined_ms) SELECT seq, payload_hash, envelope,"
                + " window_start_ms, window_end_ms, verdict, ?, ? FROM reports WHERE seq = ?")) {
            ps.setString(1, problem);
            ps.setLong(2, clock.millis());
            ps.setLong(3, seq);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT seq, payload_hash, verdict, window_start_ms, window_end_ms FROM reports WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    quarantined.put(seq, new Row(seq, rs.getString(2), rs.getString(3), problem, 0, rs.getLong(4),
                            rs.getLong(5)));
                }
            }
        }
        log.error("spool {}: report seq {} cannot be read back ({}); moved to the quarantine table as evidence and"
                + " replaced in the chain by a signed gap", file, seq, problem);
    }

    /** The GAP report standing for quarantined report {@code seq}; keeps a MINING/SUSPECT verdict from the index. */
    private Report quarantineGap(long seq) throws SQLException {
        Row q = quarantined.remove(seq);
        if (q == null) {
            readOrQuarantine(seq);
            q = quarantined.remove(seq);
        }
        if (q == null) throw new IllegalStateException("seq " + seq + " is neither readable nor quarantined");
        Verdict indexed = Verdict.DEGRADED;
        try {
            indexed = Verdict.valueOf(q.verdict());
        } catch (IllegalArgumentException e) {
            // a damaged index cell: stay DEGRADED
        }
        Verdict verdict = indexed == Verdict.MINING || indexed == Verdict.SUSPECT ? indexed : Verdict.DEGRADED;
        String reason = "report seq " + seq + " (window " + Instant.ofEpochMilli(q.startMs()) + " to "
                + Instant.ofEpochMilli(q.endMs()) + ", indexed verdict " + q.verdict() + ", payload hash " + q.hash()
                + ") could not be read back from the spool (" + q.eventKind() + "); it is kept in the spool's quarantine"
                + " table as evidence and this report takes its place in the chain";
        return eventReport(new ReportEvent(ReportEvent.Kind.GAP, reason, seq, seq, Map.of(), List.of(q.hash())),
                q.startMs(), q.endMs(), verdict);
    }

    // --- acknowledgement and the collector's chain ---

    /**
     * Marks the reports acknowledged now when their stored payload hash is the acknowledged one
     * (a report re-chained since it was sent is not marked); returns how many were marked.
     */
    public synchronized int markAcked(Map<Long, String> seqToPayloadHash) {
        if (seqToPayloadHash.isEmpty()) return 0;
        return inTransaction(() -> {
            long now = clock.millis();
            int n = 0;
            long max = 0;
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE reports SET acked_ms = ? WHERE seq = ? AND payload_hash = ? AND acked_ms IS NULL")) {
                for (Map.Entry<Long, String> e : seqToPayloadHash.entrySet()) {
                    ps.setLong(1, now);
                    ps.setLong(2, e.getKey());
                    ps.setString(3, e.getValue());
                    int changed = ps.executeUpdate();
                    n += changed;
                    if (changed > 0) max = Math.max(max, e.getKey());
                }
            }
            if (max > metaLong(LAST_ACK_SEQ)) setMeta(LAST_ACK_SEQ, Long.toString(max));
            if (n > 0) setMeta(LAST_ACK_MS, Long.toString(now));
            return n;
        });
    }

    /**
     * Heals after the collector refused a report because of the chain, given where the
     * collector's chain ends ({@code expectedSeq - 1}, {@code chainEndHash}):
     * <ul>
     *   <li>{@code seq-gap} behind what was sent: the collector lost reports (restored from a
     *       backup). When this spool still holds the report it expects, and that report links to
     *       the collector's end, every report from there is queued again ({@link ChainHeal#RESENT});
     *       otherwise a signed GAP report takes the expected seq and the held reports follow it
     *       ({@link ChainHeal#GAP}).</li>
     *   <li>{@code seq-reused} or {@code prev-mismatch}: this spool's chain diverged from the
     *       collector's (state rolled back, or a replaced spool). The unacknowledged reports are
     *       renumbered after the collector's end behind a signed EPOCH report
     *       ({@link ChainHeal#EPOCH}): one fork event at the collector, not a loop of them.</li>
     * </ul>
     */
    public synchronized ChainHeal healChain(String problemType, long refusedSeq, long expectedSeq, String chainEndHash) {
        requireNonNull(problemType, "problemType");
        requireNonNull(chainEndHash, "chainEndHash");
        if (expectedSeq < 1 || signer == null) return ChainHeal.NONE;
        return inTransaction(() -> {
            if (problemType.equals("seq-gap") && expectedSeq < refusedSeq) {
                Optional<Report> held = readOrQuarantine(expectedSeq);
                if (held.isPresent() && held.get().prev().equals(chainEndHash)) {
                    try (PreparedStatement ps = conn.prepareStatement(
                            "UPDATE reports SET acked_ms = NULL WHERE seq >= ? AND acked_ms IS NOT NULL")) {
                        ps.setLong(1, expectedSeq);
                        int n = ps.executeUpdate();
                        log.warn("spool {}: the collector's chain ends at seq {} (it lost reports, e.g. a restored backup);"
                                + " sending {} acknowledged report(s) from seq {} again", file, expectedSeq - 1, n, expectedSeq);
                    }
                    return ChainHeal.RESENT;
                }
                List<Long> seqs = seqsFrom(expectedSeq);
                long lostTo = seqs.isEmpty() ? refusedSeq - 1 : seqs.get(0) - 1;
                if (held.isPresent()) lostTo = expectedSeq - 1; // held but not linking: treat the held ones as re-chained
                String reason = "the collector's chain ends at seq " + (expectedSeq - 1) + " (it lost reports, e.g. its"
                        + " database was restored from a backup); "
                        + (lostTo >= expectedSeq ? "reports " + expectedSeq + ".." + lostTo + " were acknowledged earlier and"
                                + " are no longer in this agent's spool (spool.retention.acked), so they are lost; "
                                : "")
                        + "the reports this agent still holds follow, renumbered";
                long now = clock.millis();
                List<Report> rebuilt = new ArrayList<>();
                rebuilt.add(eventReport(new ReportEvent(ReportEvent.Kind.GAP, reason, expectedSeq,
                        Math.max(expectedSeq, lostTo), Map.of(), List.of()), now, now, Verdict.DEGRADED));
                for (long s : seqs) {
                    Optional<Report> r = readOrQuarantine(s);
                    rebuilt.add(r.isPresent() ? r.get() : quarantineGap(s));
                }
                rewriteFrom(expectedSeq, chainEndHash, rebuilt);
                log.warn("spool {}: {}", file, reason);
                return ChainHeal.GAP;
            }
            long firstPending;
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT coalesce(min(seq), 0) FROM reports WHERE acked_ms IS NULL")) {
                rs.next();
                firstPending = rs.getLong(1);
            }
            if (firstPending == 0) return ChainHeal.NONE;
            List<Long> seqs = seqsFrom(firstPending);
            long ownEnd = metaLong(CHAIN_SEQ);
            String reason = "this agent's chain had reached seq " + (firstPending - 1) + " acknowledged (" + ownEnd
                    + " written) while the collector's chain ends at seq " + (expectedSeq - 1) + " with other reports ("
                    + problemType + " for seq " + refusedSeq + "): the agent's state was restored or rolled back, or its"
                    + " spool replaced; a new epoch continues from the collector's chain end, and this agent's "
                    + seqs.size() + " unacknowledged report(s) follow, renumbered";
            long now = clock.millis();
            List<Report> rebuilt = new ArrayList<>();
            rebuilt.add(eventReport(new ReportEvent(ReportEvent.Kind.EPOCH, reason, firstPending - 1, 0, Map.of(),
                    List.of()), now, now, Verdict.DEGRADED));
            for (long s : seqs) {
                Optional<Report> r = readOrQuarantine(s);
                rebuilt.add(r.isPresent() ? r.get() : quarantineGap(s));
            }
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM reports WHERE seq >= ?")) {
                ps.setLong(1, firstPending);
                ps.executeUpdate();
            }
            rewriteFrom(expectedSeq, chainEndHash, rebuilt);
            setMeta(EPOCHS, Long.toString(metaLong(EPOCHS) + 1));
            log.warn("spool {}: {}", file, reason);
            return ChainHeal.EPOCH;
        });
    }

    /** Deletes reports acknowledged before {@code olderThan}, except the newest acknowledged one; returns how many. */
    public synchronized int purgeAcked(Instant olderThan) {
        return inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM reports WHERE acked_ms IS NOT NULL AND acked_ms < ?"
                    + " AND seq < (SELECT max(seq) FROM reports WHERE acked_ms IS NOT NULL)")) {
                ps.setLong(1, olderThan.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    /** How many reports wait for the collector's acknowledgement. */
    public synchronized long depth() {
        return inTransaction(this::depthInTx);
    }

    /** Records the current problem (shown by {@code status} until the next acknowledgement); no secrets, no payloads. */
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
                meta(LAST_ERROR).orElse(""), metaLong(LAST_ERROR_MS), metaLong(STARTS), metaLong(SHED_COUNT),
                countQuarantined(), metaLong(EPOCHS), bytesInTx()));
    }

    private long countQuarantined() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM quarantine")) {
            rs.next();
            return rs.getLong(1);
        }
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
                    + "\", not a number. Stop the agent and move the file aside: a new spool starts and the chain"
                    + " records the break as a signed gap.");
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

    private void deleteMeta(String key) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            ps.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: commit, or roll back and try once more on a fresh
     * connection. After SQLITE_FULL or an I/O error SQLite may end the transaction itself; the
     * driver's rollback then fails and the old connection stays outside any transaction for good
     * ("cannot commit - no transaction is active" on every later call), so the connection is
     * replaced rather than trusted.
     */
    private <T> T inTransaction(SqlWork<T> work) {
        SQLException first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                long changesBefore = problemNow().isPresent() ? totalChanges() : -1;
                T result = work.run();
                conn.commit();
                // Only a write that succeeded shows the spool can be written again; a read works on a full disk.
                if (changesBefore >= 0 && totalChanges() > changesBefore) {
                    problems.ifPresent(ProblemFile::clear);
                    log.debug("spool {}: writing works again; the problem file is cleared", file);
                }
                return result;
            } catch (SQLException e) {
                rollbackQuietly();
                quarantined.clear();
                reconnect();
                if (first == null) first = e;
                else first.addSuppressed(e);
            } catch (RuntimeException e) {
                rollbackQuietly();
                quarantined.clear();
                throw e;
            }
        }
        SQLException failed = first;
        problems.ifPresent(p -> p.set(describe(failed), clock.millis()));
        throw new SpoolException("Spool " + file + " failed: " + first.getMessage()
                + ". Check free disk space and the file's permissions; nothing was changed by this operation,"
                + " and the next one tries again.", first);
    }

    private long totalChanges() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT total_changes()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The problem in the words {@code status} shows: a full disk is named as such, with the bytes left. */
    private String describe(SQLException e) {
        String message = String.valueOf(e.getMessage());
        long free = -1;
        try {
            free = Files.getFileStore(file.toAbsolutePath().getParent()).getUsableSpace();
        } catch (IOException | RuntimeException ignored) {
            // unknown: judged by SQLite's message alone
        }
        boolean full = message.contains("SQLITE_FULL") || message.contains("disk is full") || free == 0;
        String where = file.toAbsolutePath().getParent().toString();
        if (full) {
            return "state directory " + where + " full: cannot write the spool (No space left on device"
                    + (free >= 0 ? "; " + free + " bytes free" : "") + "); closed windows are held in memory and"
                    + " shipping pauses until space is freed";
        }
        return "cannot use the spool " + file + ": " + message;
    }

    private void rollbackQuietly() {
        try {
            conn.rollback();
        } catch (SQLException e) {
            log.debug("spool {}: rollback failed: {}", file, e.toString());
        }
    }

    private void reconnect() {
        closeQuietly(conn);
        try {
            conn = connect(file);
        } catch (SQLException e) {
            // Keep a closed connection: the next operation fails cleanly and tries to connect again.
            log.debug("spool {}: reconnecting failed: {}", file, e.toString());
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
