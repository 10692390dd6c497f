package io.assay.server.store.jdbc;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.assay.server.store.AlertTables;
import java.lang.reflect.Type;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link AlertTables} in SQL both backends run unchanged; one per transaction, on its thread. */
final class JdbcAlertTables implements AlertTables {
    private static final Gson GSON = new Gson();
    private static final Type STRING_LIST = new TypeToken<List<String>>() {}.getType();
    private static final String ALERT_COLUMNS = "alert_id, dedupe_key, host_id, kind, seq, detail, raised_at, acked_at, acked_by";
    private static final String DELIVERY_COLUMNS = "alert_id, webhook_id, attempts, next_attempt_ms, delivered_at, last_error";

    private final JdbcTx tx;

    JdbcAlertTables(JdbcTx tx) {
        this.tx = tx;
    }

    @Override
    public void insertWebhook(Webhook w) {
        tx.update("store webhook " + w.id(), "INSERT INTO webhooks (webhook_id, url, secret, operators_json, created_at)"
                + " VALUES (?,?,?,?,?)", ps -> {
                    ps.setString(1, w.id());
                    ps.setString(2, w.url());
                    ps.setString(3, w.secret());
                    ps.setString(4, GSON.toJson(w.operators()));
                    ps.setLong(5, w.createdAt().toEpochMilli());
                });
    }

    @Override
    public List<Webhook> listWebhooks() {
        return tx.query("SELECT webhook_id, url, secret, operators_json, created_at FROM webhooks ORDER BY created_at,"
                + " webhook_id", ps -> {}, rs -> {
                    List<String> ops = GSON.fromJson(rs.getString(4), STRING_LIST);
                    return new Webhook(rs.getString(1), rs.getString(2), rs.getString(3), ops == null ? List.of() : ops,
                            Instant.ofEpochMilli(rs.getLong(5)));
                });
    }

    @Override
    public boolean insertAlert(Alert a) {
        return tx.update("store alert " + a.id(), "INSERT INTO alerts (" + ALERT_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (dedupe_key) DO NOTHING", ps -> {
                    ps.setString(1, a.id());
                    ps.setString(2, a.dedupeKey());
                    ps.setString(3, a.hostId());
                    ps.setString(4, a.kind().wireName());
                    ps.setLong(5, a.seq());
                    ps.setString(6, a.detail());
                    ps.setLong(7, a.raisedAt().toEpochMilli());
                    if (a.ackedAt().isPresent()) ps.setLong(8, a.ackedAt().get().toEpochMilli());
                    else ps.setNull(8, Types.BIGINT);
                    ps.setString(9, a.ackedBy());
                }) == 1;
    }

    @Override
    public Optional<Alert> findAlert(String id) {
        return tx.queryOne("SELECT " + ALERT_COLUMNS + " FROM alerts WHERE alert_id = ?", ps -> ps.setString(1, id),
                JdbcAlertTables::alert);
    }

    @Override
    public List<Alert> listAlerts() {
        return tx.query("SELECT " + ALERT_COLUMNS + " FROM alerts ORDER BY raised_at DESC, alert_id DESC", ps -> {},
                JdbcAlertTables::alert);
    }

    private static Alert alert(ResultSet rs) throws SQLException {
        long acked = rs.getLong(8);
        Optional<Instant> ackedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(acked));
        return new Alert(rs.getString(1), rs.getString(2), rs.getString(3), Kind.parse(rs.getString(4)), rs.getLong(5),
                rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), ackedAt, rs.getString(9));
    }

    @Override
    public boolean acknowledge(String id, Instant at, String by) {
        return tx.update("acknowledge alert " + id, "UPDATE alerts SET acked_at = ?, acked_by = ? WHERE alert_id = ?"
                + " AND acked_at IS NULL", ps -> {
                    ps.setLong(1, at.toEpochMilli());
                    ps.setString(2, by);
                    ps.setString(3, id);
                }) == 1;
    }

    @Override
    public void insertDelivery(Delivery d) {
        tx.update("store delivery of " + d.alertId(), "INSERT INTO alert_deliveries (" + DELIVERY_COLUMNS
                + ") VALUES (?,?,?,?,?,?)", ps -> bind(ps, d));
    }

    @Override
    public void updateDelivery(Delivery d) {
        tx.update("update delivery of " + d.alertId(), "UPDATE alert_deliveries SET attempts = ?, next_attempt_ms = ?,"
                + " delivered_at = ?, last_error = ? WHERE alert_id = ? AND webhook_id = ?", ps -> {
                    ps.setInt(1, d.attempts());
                    ps.setLong(2, d.nextAttemptMs());
                    if (d.deliveredAt().isPresent()) ps.setLong(3, d.deliveredAt().get().toEpochMilli());
                    else ps.setNull(3, Types.BIGINT);
                    ps.setString(4, d.lastError());
                    ps.setString(5, d.alertId());
                    ps.setString(6, d.webhookId());
                });
    }

    private static void bind(java.sql.PreparedStatement ps, Delivery d) throws SQLException {
        ps.setString(1, d.alertId());
        ps.setString(2, d.webhookId());
        ps.setInt(3, d.attempts());
        ps.setLong(4, d.nextAttemptMs());
        if (d.deliveredAt().isPresent()) ps.setLong(5, d.deliveredAt().get().toEpochMilli());
        else ps.setNull(5, Types.BIGINT);
        ps.setString(6, d.lastError());
    }

    @Override
    public List<Delivery> dueDeliveries(long nowMs, int maxAttempts, int limit) {
        return tx.query("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries WHERE delivered_at IS NULL"
                + " AND attempts < ? AND next_attempt_ms <= ? ORDER BY next_attempt_ms LIMIT ?", ps -> {
                    ps.setInt(1, maxAttempts);
                    ps.setLong(2, nowMs);
                    ps.setInt(3, limit);
                }, JdbcAlertTables::delivery);
    }

    @Override
    public List<Delivery> deliveriesOf(String alertId) {
        return tx.query("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries WHERE alert_id = ? ORDER BY webhook_id",
                ps -> ps.setString(1, alertId), JdbcAlertTables::delivery);
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        long d = rs.getLong(5);
        Optional<Instant> delivered = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(d));
        return new Delivery(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), delivered, rs.getString(6));
    }
}
