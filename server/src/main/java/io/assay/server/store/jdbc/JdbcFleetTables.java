package io.assay.server.store.jdbc;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.assay.server.store.FleetTables;
import java.lang.reflect.Type;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link FleetTables} in SQL both backends run unchanged; one per transaction, on its thread. */
final class JdbcFleetTables implements FleetTables {
    private static final Gson GSON = new Gson();
    private static final Type STRING_LIST = new TypeToken<List<String>>() {}.getType();
    private static final String PLEDGE_COLUMNS =
            "pledge_id, operator, name, hosts_json, groups_json, from_ms, to_ms, text, created_at";
    private static final String ADDRESS_COLUMNS = "host_id, address, source, first_ms, last_ms";

    private final JdbcTx tx;

    JdbcFleetTables(JdbcTx tx) {
        this.tx = tx;
    }

    private static List<String> list(String json) {
        List<String> l = GSON.fromJson(json, STRING_LIST);
        return l == null ? List.of() : l;
    }

    @Override
    public Membership membership(String hostId) {
        return tx.queryOne("SELECT host_id, operator, groups_json FROM host_fleet WHERE host_id = ?",
                ps -> ps.setString(1, hostId), JdbcFleetTables::membership)
                .orElse(new Membership(hostId, DEFAULT_OPERATOR, List.of()));
    }

    @Override
    public List<Membership> memberships() {
        // Hosts without a row (enrolled before fleets existed) belong to the default operator.
        return tx.query("SELECT h.host_id, COALESCE(f.operator, ?), COALESCE(f.groups_json, '[]') FROM hosts h"
                        + " LEFT JOIN host_fleet f ON f.host_id = h.host_id ORDER BY h.host_id",
                ps -> ps.setString(1, DEFAULT_OPERATOR), JdbcFleetTables::membership);
    }

    private static Membership membership(ResultSet rs) throws SQLException {
        return new Membership(rs.getString(1), rs.getString(2), list(rs.getString(3)));
    }

    @Override
    public void putMembership(Membership m) {
        tx.update("remove fleet row of " + m.hostId(), "DELETE FROM host_fleet WHERE host_id = ?",
                ps -> ps.setString(1, m.hostId()));
        tx.update("store fleet row of " + m.hostId(), "INSERT INTO host_fleet (host_id, operator, groups_json)"
                + " VALUES (?, ?, ?)", ps -> {
                    ps.setString(1, m.hostId());
                    ps.setString(2, m.operator());
                    ps.setString(3, GSON.toJson(m.groups()));
                });
        // host_groups mirrors groups_json so that a group filter is an index lookup.
        tx.update("remove groups of " + m.hostId(), "DELETE FROM host_groups WHERE host_id = ?",
                ps -> ps.setString(1, m.hostId()));
        for (String g : new java.util.LinkedHashSet<>(m.groups())) {
            tx.update("store group of " + m.hostId(), "INSERT INTO host_groups (grp, host_id) VALUES (?, ?)", ps -> {
                ps.setString(1, g);
                ps.setString(2, m.hostId());
            });
        }
    }

    /** The WHERE clause (after "WHERE ") of a fleet query's filters, and its parameters in order. */
    private static String filters(FleetQuery q, boolean withVerdict, List<Object> params) {
        StringBuilder w = new StringBuilder("1 = 1");
        if (q.scope().isPresent()) {
            if (q.scope().get().isEmpty()) return "1 = 0";
            w.append(" AND COALESCE(f.operator, ?) IN (").append("?,".repeat(q.scope().get().size() - 1)).append("?)");
            params.add(DEFAULT_OPERATOR);
            params.addAll(new java.util.TreeSet<>(q.scope().get()));
        }
        if (q.operator().isPresent()) {
            w.append(" AND COALESCE(f.operator, ?) = ?");
            params.add(DEFAULT_OPERATOR);
            params.add(q.operator().get());
        }
        if (q.group().isPresent()) {
            w.append(" AND h.host_id IN (SELECT g.host_id FROM host_groups g WHERE g.grp = ?)");
            params.add(q.group().get());
        }
        if (withVerdict && q.verdict().isPresent()) {
            w.append(" AND h.last_verdict = ?");
            params.add(q.verdict().get().name());
        }
        return w.toString();
    }

    private static void bindAll(java.sql.PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object o = params.get(i);
            if (o instanceof Integer n) ps.setInt(i + 1, n); else ps.setString(i + 1, (String) o);
        }
    }

    @Override
    public FleetPage fleetPage(FleetQuery q) {
        List<Object> params = new java.util.ArrayList<>();
        String where = filters(q, true, params);
        params.add(q.afterHostId());
        params.add(q.limit() + 1);
        List<FleetRow> rows = tx.query(FLEET_SELECT + " WHERE " + where + " AND h.host_id > ?"
                + " ORDER BY h.host_id LIMIT ?", ps -> bindAll(ps, params), JdbcFleetTables::fleetRow);
        List<Object> countParams = new java.util.ArrayList<>();
        String countWhere = filters(q, false, countParams);
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        tx.query("SELECT COALESCE(h.last_verdict, 'NONE'), COUNT(*) FROM hosts h LEFT JOIN host_fleet f"
                + " ON f.host_id = h.host_id WHERE " + countWhere + " GROUP BY COALESCE(h.last_verdict, 'NONE')",
                ps -> bindAll(ps, countParams), rs -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                    return 1;
                });
        boolean more = rows.size() > q.limit();
        List<FleetRow> page = more ? rows.subList(0, q.limit()) : rows;
        return new FleetPage(page, counts, more ? Optional.of(page.get(page.size() - 1).hostId()) : Optional.empty());
    }

    private static final String FLEET_SELECT = "SELECT h.host_id, h.hostname, COALESCE(f.operator, '"
            + DEFAULT_OPERATOR + "'), COALESCE(f.groups_json, '[]'), h.enrolled_at, h.last_seen, h.last_seq,"
            + " h.last_verdict FROM hosts h LEFT JOIN host_fleet f ON f.host_id = h.host_id";

    private static FleetRow fleetRow(ResultSet rs) throws SQLException {
        long seen = rs.getLong(6);
        Optional<Instant> lastSeen = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(seen));
        String v = rs.getString(8);
        return new FleetRow(rs.getString(1), rs.getString(2), rs.getString(3), list(rs.getString(4)),
                Instant.ofEpochMilli(rs.getLong(5)), lastSeen, rs.getLong(7),
                Optional.ofNullable(v).map(io.assay.protocol.Verdict::valueOf));
    }

    @Override
    public List<FleetRow> fleetRows(java.util.Collection<String> hostIds) {
        if (hostIds.isEmpty()) return List.of();
        if (hostIds.size() > io.assay.server.store.SummaryTables.MAX_HOSTS_PER_READ) {
            throw new IllegalArgumentException("fleetRows takes at most "
                    + io.assay.server.store.SummaryTables.MAX_HOSTS_PER_READ + " host ids, not " + hostIds.size());
        }
        List<Object> params = new java.util.ArrayList<>(hostIds);
        return tx.query(FLEET_SELECT + " WHERE h.host_id IN (" + "?,".repeat(hostIds.size() - 1) + "?) ORDER BY h.host_id",
                ps -> bindAll(ps, params), JdbcFleetTables::fleetRow);
    }

    @Override
    public List<String> groupNames(Optional<java.util.Set<String>> scope) {
        FleetQuery q = new FleetQuery(scope, Optional.empty(), Optional.empty(), Optional.empty(), "", 1);
        List<Object> params = new java.util.ArrayList<>();
        String where = filters(q, false, params);
        return tx.query("SELECT DISTINCT g.grp FROM host_groups g JOIN hosts h ON h.host_id = g.host_id"
                + " LEFT JOIN host_fleet f ON f.host_id = h.host_id WHERE " + where + " ORDER BY g.grp",
                ps -> bindAll(ps, params), rs -> rs.getString(1));
    }

    @Override
    public TokenScope scope(String tokenHash) {
        return tx.queryOne("SELECT operators_json, groups_json FROM token_scopes WHERE token_hash = ?",
                ps -> ps.setString(1, tokenHash),
                rs -> new TokenScope(list(rs.getString(1)), list(rs.getString(2)))).orElse(TokenScope.UNLIMITED);
    }

    @Override
    public void putScope(String tokenHash, TokenScope scope) {
        tx.update("remove token scope", "DELETE FROM token_scopes WHERE token_hash = ?", ps -> ps.setString(1, tokenHash));
        tx.update("store token scope", "INSERT INTO token_scopes (token_hash, operators_json, groups_json)"
                + " VALUES (?, ?, ?)", ps -> {
                    ps.setString(1, tokenHash);
                    ps.setString(2, GSON.toJson(scope.operators()));
                    ps.setString(3, GSON.toJson(scope.groups()));
                });
    }

    @Override
    public void insertPledge(Pledge p) {
        tx.update("store pledge " + p.id(), "INSERT INTO pledges (" + PLEDGE_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?)",
                ps -> {
                    ps.setString(1, p.id());
                    ps.setString(2, p.operator());
                    ps.setString(3, p.name());
                    ps.setString(4, GSON.toJson(p.hosts()));
                    ps.setString(5, GSON.toJson(p.groups()));
                    ps.setLong(6, p.from().toEpochMilli());
                    ps.setLong(7, p.to().toEpochMilli());
                    ps.setString(8, p.text());
                    ps.setLong(9, p.createdAt().toEpochMilli());
                });
    }

    @Override
    public Optional<Pledge> findPledge(String id) {
        return tx.queryOne("SELECT " + PLEDGE_COLUMNS + " FROM pledges WHERE pledge_id = ?",
                ps -> ps.setString(1, id), JdbcFleetTables::pledge);
    }

    @Override
    public List<Pledge> listPledges() {
        return tx.query("SELECT " + PLEDGE_COLUMNS + " FROM pledges ORDER BY created_at, pledge_id", ps -> {},
                JdbcFleetTables::pledge);
    }

    private static Pledge pledge(ResultSet rs) throws SQLException {
        return new Pledge(rs.getString(1), rs.getString(2), rs.getString(3), list(rs.getString(4)),
                list(rs.getString(5)), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)),
                rs.getString(8), Instant.ofEpochMilli(rs.getLong(9)));
    }

    @Override
    public void recordAddress(AddressHeld h, long joinMs) {
        Optional<AddressHeld> last = tx.queryOne("SELECT " + ADDRESS_COLUMNS + " FROM host_addresses WHERE host_id = ?"
                        + " AND address = ? AND source = ? ORDER BY first_ms DESC LIMIT 1",
                ps -> {
                    ps.setString(1, h.hostId());
                    ps.setString(2, h.address());
                    ps.setString(3, h.source().wireName());
                }, JdbcFleetTables::held);
        if (last.isPresent() && last.get().toMs() >= h.fromMs() - joinMs && last.get().fromMs() <= h.fromMs()) {
            if (h.toMs() > last.get().toMs()) {
                tx.update("extend address stretch", "UPDATE host_addresses SET last_ms = ? WHERE host_id = ?"
                        + " AND address = ? AND source = ? AND first_ms = ?", ps -> {
                            ps.setLong(1, h.toMs());
                            ps.setString(2, h.hostId());
                            ps.setString(3, h.address());
                            ps.setString(4, h.source().wireName());
                            ps.setLong(5, last.get().fromMs());
                        });
            }
            return;
        }
        tx.update("store address stretch", "INSERT INTO host_addresses (" + ADDRESS_COLUMNS + ") VALUES (?,?,?,?,?)"
                + " ON CONFLICT DO NOTHING", ps -> {
                    ps.setString(1, h.hostId());
                    ps.setString(2, h.address());
                    ps.setString(3, h.source().wireName());
                    ps.setLong(4, h.fromMs());
                    ps.setLong(5, h.toMs());
                });
    }

    @Override
    public List<AddressHeld> addressesIn(List<String> candidates) {
        if (candidates.isEmpty()) return List.of();
        String marks = String.join(",", java.util.Collections.nCopies(candidates.size(), "?"));
        return tx.query("SELECT " + ADDRESS_COLUMNS + " FROM host_addresses WHERE address IN (" + marks + ")"
                + " ORDER BY host_id, first_ms", ps -> {
                    for (int i = 0; i < candidates.size(); i++) ps.setString(i + 1, candidates.get(i));
                }, JdbcFleetTables::held);
    }

    @Override
    public List<AddressHeld> allAddresses() {
        return tx.query("SELECT " + ADDRESS_COLUMNS + " FROM host_addresses ORDER BY host_id, first_ms", ps -> {},
                JdbcFleetTables::held);
    }

    private static AddressHeld held(ResultSet rs) throws SQLException {
        return new AddressHeld(rs.getString(1), rs.getString(2), AddressSource.parse(rs.getString(3)), rs.getLong(4),
                rs.getLong(5));
    }
}
