package io.assay.server.store.jdbc;

import io.assay.protocol.Verdict;
import io.assay.protocol.coverage.GapReason;
import io.assay.server.store.ReportDigest;
import io.assay.server.store.ReportRow;
import io.assay.server.store.SummaryTables;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** {@link SummaryTables} in SQL both backends run unchanged; one per transaction, on its thread. */
final class JdbcSummaryTables implements SummaryTables {
    private static final String STRETCH_COLUMNS = "host_id, first_seq, last_seq, from_ms, to_ms, verdict, agent_started_ms, gap_reason";
    private static final String DAY_COLUMNS = "host_id, day_ms, first_seq, last_seq, reports, energy_joules, energy_reports";
    private static final String FINDING_COLUMNS =
            "host_id, finding_key, first_seq, last_seq, reports, from_ms, to_ms, rule_id, kind, summary, evidence";

    private final JdbcTx tx;

    JdbcSummaryTables(JdbcTx tx) {
        this.tx = tx;
    }

    private static String in(Collection<String> ids) {
        if (ids.isEmpty() || ids.size() > MAX_HOSTS_PER_READ) {
            throw new IllegalArgumentException("a bulk read takes 1 to " + MAX_HOSTS_PER_READ + " host ids, not " + ids.size());
        }
        return "host_id IN (" + "?,".repeat(ids.size() - 1) + "?)";
    }

    /** Binds the ids from parameter 1 on; returns the next free parameter index. */
    private static int bind(PreparedStatement ps, Collection<String> ids) throws SQLException {
        int i = 1;
        for (String id : ids) ps.setString(i++, id);
        return i;
    }

    @Override
    public List<Stretch> stretches(Collection<String> hostIds, long fromMs, long toMs) {
        // The neighbours just outside the period tell why its first and last gaps are gaps.
        return tx.query("SELECT " + STRETCH_COLUMNS + " FROM host_stretches s WHERE " + in(hostIds)
                + " AND ((to_ms > ? AND from_ms < ?)"
                + " OR first_seq = (SELECT MAX(p.first_seq) FROM host_stretches p WHERE p.host_id = s.host_id AND p.to_ms <= ?)"
                + " OR first_seq = (SELECT MIN(n.first_seq) FROM host_stretches n WHERE n.host_id = s.host_id AND n.from_ms >= ?))"
                + " ORDER BY host_id, first_seq", ps -> {
                    int i = bind(ps, hostIds);
                    ps.setLong(i, fromMs);
                    ps.setLong(i + 1, toMs);
                    ps.setLong(i + 2, fromMs);
                    ps.setLong(i + 3, toMs);
                }, JdbcSummaryTables::stretch);
    }

    private static Stretch stretch(java.sql.ResultSet rs) throws SQLException {
        String gap = rs.getString(8);
        return new Stretch(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                Verdict.valueOf(rs.getString(6)), rs.getLong(7),
                gap == null ? Optional.empty() : Optional.of(GapReason.ofWireName(gap)));
    }

    @Override
    public List<Day> days(Collection<String> hostIds, long fromDayMs, long toDayMs) {
        return tx.query("SELECT " + DAY_COLUMNS + " FROM host_days WHERE " + in(hostIds)
                + " AND day_ms >= ? AND day_ms < ? ORDER BY host_id, day_ms", ps -> {
                    int i = bind(ps, hostIds);
                    ps.setLong(i, fromDayMs);
                    ps.setLong(i + 1, toDayMs);
                }, rs -> new Day(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getDouble(6), rs.getLong(7)));
    }

    @Override
    public List<FindingRun> findings(Collection<String> hostIds, long fromMs, long toMs) {
        return tx.query("SELECT " + FINDING_COLUMNS + " FROM host_findings WHERE " + in(hostIds)
                + " AND to_ms > ? AND from_ms < ? ORDER BY host_id, first_seq, finding_key", ps -> {
                    int i = bind(ps, hostIds);
                    ps.setLong(i, fromMs);
                    ps.setLong(i + 1, toMs);
                }, rs -> new FindingRun(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11)));
    }

    @Override
    public Optional<ReportSpan> span(String hostId, long firstSeq, long lastSeq, long fromMs, long toMs) {
        // Index rows only (the primary key's seq range), never envelopes.
        return tx.queryOne("SELECT COUNT(*), MIN(seq), MAX(seq) FROM reports WHERE host_id = ? AND seq >= ? AND seq <= ?"
                + " AND window_end > ? AND window_start < ?", ps -> {
                    ps.setString(1, hostId);
                    ps.setLong(2, firstSeq);
                    ps.setLong(3, lastSeq);
                    ps.setLong(4, fromMs);
                    ps.setLong(5, toMs);
                }, rs -> new ReportSpan(rs.getLong(1), rs.getLong(2), rs.getLong(3))).filter(s -> s.reports() > 0);
    }

    @Override
    public void add(ReportRow r, ReportDigest digest) {
        String host = r.hostId();
        Optional<Stretch> last = tx.queryOne("SELECT " + STRETCH_COLUMNS + " FROM host_stretches WHERE host_id = ?"
                + " ORDER BY first_seq DESC LIMIT 1", ps -> ps.setString(1, host),
                JdbcSummaryTables::stretch);
        if (last.isPresent() && digest.marksGap().isEmpty() && continues(last.get(), r)) {
            Stretch s = last.get();
            tx.update("extend stretch of " + host, "UPDATE host_stretches SET last_seq = ?, to_ms = ? WHERE host_id = ?"
                    + " AND first_seq = ?", ps -> {
                        ps.setLong(1, r.seq());
                        ps.setLong(2, Math.max(s.toMs(), r.windowEndMs()));
                        ps.setString(3, host);
                        ps.setLong(4, s.firstSeq());
                    });
        } else {
            tx.update("start stretch of " + host, "INSERT INTO host_stretches (" + STRETCH_COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?)", ps -> {
                        ps.setString(1, host);
                        ps.setLong(2, r.seq());
                        ps.setLong(3, r.seq());
                        ps.setLong(4, r.windowStartMs());
                        ps.setLong(5, r.windowEndMs());
                        ps.setString(6, r.verdict().name());
                        ps.setLong(7, r.agentStartedMs());
                        ps.setString(8, digest.marksGap().map(GapReason::wireName).orElse(null));
                    });
        }
        long day = Math.floorDiv(r.windowStartMs(), DAY_MS) * DAY_MS;
        double joules = digest.energyJoules().orElse(0);
        tx.update("count report of " + host + " in its day", "INSERT INTO host_days (" + DAY_COLUMNS
                + ") VALUES (?,?,?,?,1,?,?) ON CONFLICT (host_id, day_ms) DO UPDATE SET"
                + " first_seq = CASE WHEN excluded.first_seq < host_days.first_seq THEN excluded.first_seq"
                + " ELSE host_days.first_seq END,"
                + " last_seq = CASE WHEN excluded.last_seq > host_days.last_seq THEN excluded.last_seq"
                + " ELSE host_days.last_seq END,"
                + " reports = host_days.reports + 1,"
                + " energy_joules = host_days.energy_joules + excluded.energy_joules,"
                + " energy_reports = host_days.energy_reports + excluded.energy_reports", ps -> {
                    ps.setString(1, host);
                    ps.setLong(2, day);
                    ps.setLong(3, r.seq());
                    ps.setLong(4, r.seq());
                    ps.setDouble(5, joules);
                    ps.setLong(6, digest.energyJoules().isPresent() ? 1 : 0);
                });
        for (ReportDigest.Finding f : digest.findings()) {
            int n = tx.update("extend finding run of " + host, "UPDATE host_findings SET last_seq = ?, reports = reports + 1,"
                    + " to_ms = CASE WHEN ? > to_ms THEN ? ELSE to_ms END"
                    + " WHERE host_id = ? AND finding_key = ? AND last_seq = ?", ps -> {
                        ps.setLong(1, r.seq());
                        ps.setLong(2, r.windowEndMs());
                        ps.setLong(3, r.windowEndMs());
                        ps.setString(4, host);
                        ps.setString(5, f.key());
                        ps.setLong(6, r.seq() - 1);
                    });
            if (n == 0) {
                tx.update("start finding run of " + host, "INSERT INTO host_findings (" + FINDING_COLUMNS
                        + ") VALUES (?,?,?,?,1,?,?,?,?,?,?)", ps -> {
                            ps.setString(1, host);
                            ps.setString(2, f.key());
                            ps.setLong(3, r.seq());
                            ps.setLong(4, r.seq());
                            ps.setLong(5, r.windowStartMs());
                            ps.setLong(6, r.windowEndMs());
                            ps.setString(7, f.ruleId());
                            ps.setString(8, f.kind());
                            ps.setString(9, f.summary());
                            ps.setString(10, f.json());
                        });
            }
        }
    }

    /**
     * Whether report {@code r} continues stretch {@code s}: the next seq of the same agent run and
     * verdict, starting inside the stretch or at most {@link #JOIN_SLACK_MS} after its end (the
     * jitter coverage counts as covered). Then the stretch's interval is exactly the union of its
     * reports' windows plus that jitter, which is what coverage over the reports would count.
     */
    static boolean continues(Stretch s, ReportRow r) {
        return s.marksGap().isEmpty() && r.seq() == s.lastSeq() + 1 && r.verdict() == s.verdict() && r.agentStartedMs() == s.agentStartedMs()
                && r.windowStartMs() >= s.fromMs() && r.windowStartMs() <= s.toMs() + JOIN_SLACK_MS;
    }

    @Override
    public java.util.OptionalDouble energy(String hostId, long firstSeq, long lastSeq, long fromMs, long toMs) {
        List<java.util.OptionalDouble> each = tx.query("SELECT envelope FROM reports WHERE host_id = ? AND seq >= ?"
                + " AND seq <= ? AND window_end > ? AND window_start < ? ORDER BY seq", ps -> {
                    ps.setString(1, hostId);
                    ps.setLong(2, firstSeq);
                    ps.setLong(3, lastSeq);
                    ps.setLong(4, fromMs);
                    ps.setLong(5, toMs);
                }, rs -> ReportDigest.ofEnvelope(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8))
                        .energyJoules());
        double sum = 0;
        boolean any = false;
        for (java.util.OptionalDouble e : each) {
            if (e.isPresent()) {
                any = true;
                sum += e.getAsDouble();
            }
        }
        return any ? java.util.OptionalDouble.of(sum) : java.util.OptionalDouble.empty();
    }

    @Override
    public java.util.Map<String, Long> notInCheckpoint(long checkpointSize, long fromMs, long toMs) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        tx.query("SELECT t.host_id, COUNT(*) FROM (SELECT host_id, seq FROM log_queue UNION ALL"
                + " SELECT host_id, seq FROM log_leaves WHERE leaf_index >= ?) t JOIN reports r"
                + " ON r.host_id = t.host_id AND r.seq = t.seq WHERE r.window_end > ? AND r.window_start < ?"
                + " GROUP BY t.host_id", ps -> {
                    ps.setLong(1, checkpointSize);
                    ps.setLong(2, fromMs);
                    ps.setLong(3, toMs);
                }, rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                    return 1;
                });
        return out;
    }
}
