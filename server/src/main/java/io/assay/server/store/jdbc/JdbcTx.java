package io.assay.server.store.jdbc;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.HostIdentity;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportDigest;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.StoreException;
import io.assay.server.store.StoredReport;
import io.assay.server.store.TokenRecord;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL both backends run unchanged, and the mapping between rows and domain records. One
 * instance per transaction, used on that transaction's thread only.
 *
 * <p>Column types are chosen so one mapping fits both dialects: times are epoch milliseconds in a
 * 64-bit integer column, envelopes and evidence are bytes (SQLite BLOB, PostgreSQL BYTEA), the
 * rest is text. A subclass supplies what differs: how statements are obtained and released, the
 * column that orders rows inserted in the same millisecond, and how {@link #lockHost} holds a
 * host against concurrent writers.
 */
public abstract class JdbcTx implements Store.Tx {
    private static final Gson GSON = new Gson();
    private static final Type STRING_LIST = new TypeToken<List<String>>() {}.getType();
    protected static final String HOST_COLUMNS = "host_id, public_key, key_id, hostname, system_uuid, board_serial,"
            + " macs_json, agent_version, enrolled_at, last_seen, last_seq, last_hash, last_verdict";
    private static final String TOKEN_COLUMNS = "token_hash, role, host_id, note, created_at, expires_at, uses_left,"
            + " revoked_at";
    private static final String ROW_COLUMNS =
            "host_id, seq, payload_hash, window_start, window_end, verdict, received_at, agent_started_ms";

    /** A statement for {@code sql} on this transaction's connection, parameters cleared. */
    protected abstract PreparedStatement prepare(String sql) throws SQLException;

    /** Called when a statement from {@link #prepare} is no longer needed (a cache keeps it, others close it). */
    protected abstract void release(PreparedStatement ps);

    /**
     * The column that orders tokens and hosts created in the same millisecond in insertion order
     * (SQLite's implicit {@code rowid}, an identity column elsewhere).
     */
    protected abstract String insertionOrderColumn();

    /** Sets the parameters of a statement. */
    @FunctionalInterface
    protected interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    protected interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    protected final <T> List<T> query(String sql, Binder binder, Mapper<T> mapper) {
        PreparedStatement ps = null;
        try {
            ps = prepare(sql);
            binder.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(mapper.map(rs));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw failure("query failed", e);
        } finally {
            if (ps != null) release(ps);
        }
    }

    protected final <T> Optional<T> queryOne(String sql, Binder binder, Mapper<T> mapper) {
        List<T> rows = query(sql, binder, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    protected final int update(String what, String sql, Binder binder) {
        PreparedStatement ps = null;
        try {
            ps = prepare(sql);
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot " + what, e);
        } finally {
            if (ps != null) release(ps);
        }
    }

    private static StoreException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")";
        return new StoreException(what + ": " + e.getMessage() + state, e);
    }

    // --- tokens ---

    @Override
    public Optional<TokenRecord> findToken(String tokenHash) {
        return queryOne("SELECT " + TOKEN_COLUMNS + " FROM tokens WHERE token_hash = ?",
                ps -> ps.setString(1, tokenHash), JdbcTx::token);
    }

    @Override
    public List<TokenRecord> listTokens() {
        return query("SELECT " + TOKEN_COLUMNS + " FROM tokens ORDER BY created_at, " + insertionOrderColumn(),
                ps -> {}, JdbcTx::token);
    }

    private static TokenRecord token(ResultSet rs) throws SQLException {
        long expires = rs.getLong(6);
        Optional<Instant> expiresAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
        long uses = rs.getLong(7);
        java.util.OptionalLong usesLeft = rs.wasNull() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(uses);
        long revoked = rs.getLong(8);
        Optional<Instant> revokedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revoked));
        return new TokenRecord(rs.getString(1), Role.parse(rs.getString(2)), Optional.ofNullable(rs.getString(3)),
                rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)), expiresAt, usesLeft, revokedAt);
    }

    @Override
    public void insertToken(TokenRecord t) {
        update("store token", "INSERT INTO tokens (" + TOKEN_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, t.tokenHash());
            ps.setString(2, t.role().wireName());
            ps.setString(3, t.hostId().orElse(null));
            ps.setString(4, t.note());
            ps.setLong(5, t.createdAt().toEpochMilli());
            if (t.expiresAt().isPresent()) ps.setLong(6, t.expiresAt().get().toEpochMilli()); else ps.setNull(6, Types.BIGINT);
            if (t.usesLeft().isPresent()) ps.setLong(7, t.usesLeft().getAsLong()); else ps.setNull(7, Types.BIGINT);
            if (t.revokedAt().isPresent()) ps.setLong(8, t.revokedAt().get().toEpochMilli()); else ps.setNull(8, Types.BIGINT);
        });
    }

    @Override
    public boolean useToken(String tokenHash) {
        return update("use token", "UPDATE tokens SET uses_left = uses_left - 1 WHERE token_hash = ? AND uses_left > 0",
                ps -> ps.setString(1, tokenHash)) == 1
                || queryOne("SELECT uses_left FROM tokens WHERE token_hash = ? AND uses_left IS NULL",
                        ps -> ps.setString(1, tokenHash), rs -> 1).isPresent();
    }

    @Override
    public boolean revokeToken(String tokenHash, Instant at) {
        return update("revoke token", "UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                ps -> {
                    ps.setLong(1, at.toEpochMilli());
                    ps.setString(2, tokenHash);
                }) == 1;
    }

    // --- hosts ---

    @Override
    public Optional<HostRecord> findHost(String hostId) {
        return queryOne("SELECT " + HOST_COLUMNS + " FROM hosts WHERE host_id = ?",
                ps -> ps.setString(1, hostId), JdbcTx::host);
    }

    @Override
    public Optional<HostRecord> findHostByPublicKey(String publicKey) {
        return queryOne("SELECT " + HOST_COLUMNS + " FROM hosts WHERE public_key = ?",
                ps -> ps.setString(1, publicKey), JdbcTx::host);
    }

    @Override
    public List<HostRecord> findHostsBySystemUuid(String systemUuid) {
        return query("SELECT " + HOST_COLUMNS + " FROM hosts WHERE system_uuid = ? ORDER BY enrolled_at, "
                + insertionOrderColumn(), ps -> ps.setString(1, systemUuid), JdbcTx::host);
    }

    @Override
    public List<HostRecord> listHosts() {
        return query("SELECT " + HOST_COLUMNS + " FROM hosts ORDER BY enrolled_at, " + insertionOrderColumn(),
                ps -> {}, JdbcTx::host);
    }

    @Override
    public List<HostRecord> listHosts(String afterHostId, int limit) {
        return query("SELECT " + HOST_COLUMNS + " FROM hosts WHERE host_id > ? ORDER BY host_id LIMIT ?",
                ps -> {
                    ps.setString(1, afterHostId);
                    ps.setInt(2, limit);
                }, JdbcTx::host);
    }

    /** Maps a row of {@link #HOST_COLUMNS}, in that order. */
    protected static HostRecord host(ResultSet rs) throws SQLException {
        List<String> macs = GSON.fromJson(rs.getString(7), STRING_LIST);
        long lastSeen = rs.getLong(10);
        Optional<Instant> seen = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastSeen));
        String verdict = rs.getString(13);
        return new HostRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                new HostIdentity(rs.getString(4), rs.getString(5), rs.getString(6), macs),
                rs.getString(8), Instant.ofEpochMilli(rs.getLong(9)), seen, rs.getLong(11), rs.getString(12),
                Optional.ofNullable(verdict).map(Verdict::valueOf));
    }

    @Override
    public void insertHost(HostRecord h) {
        update("store host " + h.hostId(), "INSERT INTO hosts (" + HOST_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                ps -> {
                    ps.setString(1, h.hostId());
                    ps.setString(2, h.publicKey());
                    ps.setString(3, h.keyId());
                    ps.setString(4, h.identity().hostname());
                    ps.setString(5, h.identity().systemUuid());
                    ps.setString(6, h.identity().boardSerial());
                    ps.setString(7, GSON.toJson(h.identity().macs()));
                    ps.setString(8, h.agentVersion());
                    ps.setLong(9, h.enrolledAt().toEpochMilli());
                    if (h.lastSeen().isPresent()) ps.setLong(10, h.lastSeen().get().toEpochMilli());
                    else ps.setNull(10, Types.BIGINT);
                    ps.setLong(11, h.lastSeq());
                    ps.setString(12, h.lastHash());
                    ps.setString(13, h.lastVerdict().map(Verdict::name).orElse(null));
                });
    }

    // --- reports ---

    @Override
    public Optional<StoredReport> findReport(String hostId, long seq) {
        return queryOne("SELECT " + ROW_COLUMNS + ", envelope FROM reports WHERE host_id = ? AND seq = ?",
                ps -> {
                    ps.setString(1, hostId);
                    ps.setLong(2, seq);
                },
                rs -> new StoredReport(row(rs), new String(rs.getBytes(9), StandardCharsets.UTF_8)));
    }

    @Override
    public List<ReportRow> listReports(String hostId, ReportQuery q) {
        return query("SELECT " + ROW_COLUMNS + " FROM reports WHERE host_id = ? AND seq > ?"
                        + " AND window_end > ? AND window_start < ? ORDER BY seq LIMIT ?",
                ps -> {
                    ps.setString(1, hostId);
                    ps.setLong(2, q.afterSeq());
                    ps.setLong(3, q.fromMs());
                    ps.setLong(4, q.toMs());
                    ps.setInt(5, q.limit());
                },
                JdbcTx::row);
    }

    private static ReportRow row(ResultSet rs) throws SQLException {
        return new ReportRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                Verdict.valueOf(rs.getString(6)), Instant.ofEpochMilli(rs.getLong(7)), rs.getLong(8));
    }

    /**
     * Inserts the report, then moves the chain end only if it is still where this report
     * continues it ({@code last_seq = seq - 1}): a compare-and-set, so that a writer that skipped
     * {@link #lockHost} fails here instead of moving a chain end that another writer moved.
     */
    @Override
    public void appendReport(StoredReport report) {
        ReportRow r = report.row();
        update("store report " + r.hostId() + "/" + r.seq(), "INSERT INTO reports (" + ROW_COLUMNS
                + ", envelope) VALUES (?,?,?,?,?,?,?,?,?)", ps -> {
                    ps.setString(1, r.hostId());
                    ps.setLong(2, r.seq());
                    ps.setString(3, r.payloadHash());
                    ps.setLong(4, r.windowStartMs());
                    ps.setLong(5, r.windowEndMs());
                    ps.setString(6, r.verdict().name());
                    ps.setLong(7, r.receivedAt().toEpochMilli());
                    ps.setLong(8, r.agentStartedMs());
                    ps.setBytes(9, report.envelopeJson().getBytes(StandardCharsets.UTF_8));
                });
        update("queue " + r.hostId() + "/" + r.seq() + " for the log", "INSERT INTO log_queue (host_id, seq) VALUES (?, ?)",
                ps -> {
                    ps.setString(1, r.hostId());
                    ps.setLong(2, r.seq());
                });
        int n = update("move chain end of " + r.hostId(), "UPDATE hosts SET last_seq = ?, last_hash = ?, last_seen = ?,"
                + " last_verdict = ? WHERE host_id = ? AND last_seq = ?", ps -> {
                    ps.setLong(1, r.seq());
                    ps.setString(2, r.payloadHash());
                    ps.setLong(3, r.receivedAt().toEpochMilli());
                    ps.setString(4, r.verdict().name());
                    ps.setString(5, r.hostId());
                    ps.setLong(6, r.seq() - 1);
                });
        if (n != 1) {
            throw new StoreException("cannot move the chain end of host " + r.hostId() + " to seq " + r.seq()
                    + ": the host is not stored or its chain end is not at seq " + (r.seq() - 1)
                    + " (read the host with lockHost in this transaction before appending)");
        }
        // The summaries commit or roll back with the report, so they never disagree with the stored reports.
        summaries().add(r, ReportDigest.ofEnvelope(report.envelopeJson()));
    }

    // --- events ---

    @Override
    public List<HostEvent> listEvents(String hostId) {
        return query("SELECT host_id, kind, seq, detail, at, evidence FROM host_events WHERE host_id = ? ORDER BY id",
                ps -> ps.setString(1, hostId),
                rs -> {
                    byte[] evidence = rs.getBytes(6);
                    return new HostEvent(rs.getString(1), HostEvent.Kind.parse(rs.getString(2)), rs.getLong(3),
                            rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)),
                            Optional.ofNullable(evidence).map(b -> new String(b, StandardCharsets.UTF_8)));
                });
    }

    @Override
    public void insertEvent(HostEvent e) {
        update("store event for " + e.hostId(),
                "INSERT INTO host_events (host_id, kind, seq, detail, at, evidence) VALUES (?,?,?,?,?,?)", ps -> {
                    ps.setString(1, e.hostId());
                    ps.setString(2, e.kind().wireName());
                    ps.setLong(3, e.seq());
                    ps.setString(4, e.detail());
                    ps.setLong(5, e.at().toEpochMilli());
                    if (e.evidence().isPresent()) ps.setBytes(6, e.evidence().get().getBytes(StandardCharsets.UTF_8));
                    else ps.setNull(6, Types.VARBINARY);
                });
    }

    @Override
    public List<io.assay.server.store.ChainBreak> listChainBreaks(String hostId) {
        return query("SELECT host_id, kind, chain_end, got_seq, detail, first_at, last_at, refusals FROM chain_breaks"
                + " WHERE host_id = ? ORDER BY chain_end, kind", ps -> ps.setString(1, hostId), JdbcTx::chainBreak);
    }

    @Override
    public io.assay.server.store.ChainBreak recordChainBreak(String hostId, io.assay.server.store.ChainBreak.Kind kind,
            long chainEnd, long gotSeq, String detail, Instant at) {
        // One statement both backends speak (SQLite 3.24+, PostgreSQL 9.5+), so the count cannot race.
        update("record chain break of " + hostId, "INSERT INTO chain_breaks (host_id, kind, chain_end, got_seq, detail,"
                + " first_at, last_at, refusals) VALUES (?,?,?,?,?,?,?,1) ON CONFLICT (host_id, kind, chain_end) DO UPDATE"
                + " SET got_seq = excluded.got_seq, detail = excluded.detail, last_at = excluded.last_at,"
                + " refusals = chain_breaks.refusals + 1", ps -> {
                    ps.setString(1, hostId);
                    ps.setString(2, kind.wireName());
                    ps.setLong(3, chainEnd);
                    ps.setLong(4, gotSeq);
                    ps.setString(5, detail);
                    ps.setLong(6, at.toEpochMilli());
                    ps.setLong(7, at.toEpochMilli());
                });
        return queryOne("SELECT host_id, kind, chain_end, got_seq, detail, first_at, last_at, refusals FROM chain_breaks"
                + " WHERE host_id = ? AND kind = ? AND chain_end = ?", ps -> {
                    ps.setString(1, hostId);
                    ps.setString(2, kind.wireName());
                    ps.setLong(3, chainEnd);
                }, JdbcTx::chainBreak).orElseThrow(() -> new StoreException("chain break of " + hostId + " vanished"));
    }

    private static io.assay.server.store.ChainBreak chainBreak(ResultSet rs) throws SQLException {
        return new io.assay.server.store.ChainBreak(rs.getString(1), io.assay.server.store.ChainBreak.Kind.parse(
                rs.getString(2)), rs.getLong(3), rs.getLong(4), rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)),
                Instant.ofEpochMilli(rs.getLong(7)), rs.getLong(8));
    }

    // --- transparency log ---

    @Override
    public io.assay.server.store.LogTables log() {
        return new JdbcLogTables(this);
    }

    @Override
    public io.assay.server.store.FleetTables fleet() {
        return new JdbcFleetTables(this);
    }

    @Override
    public io.assay.server.store.SummaryTables summaries() {
        return new JdbcSummaryTables(this);
    }

    @Override
    public io.assay.server.store.AlertTables alerts() {
        return new JdbcAlertTables(this);
    }

    /**
     * Takes an advisory lock held until this transaction ends; false when another holder has it.
     * Only PostgreSQL has such locks across processes; a SQLite write transaction already holds
     * the whole database, so the default says yes.
     */
    protected boolean tryAdvisoryXactLock(long key) {
        return true;
    }
}
