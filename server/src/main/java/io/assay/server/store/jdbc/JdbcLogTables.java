package io.assay.server.store.jdbc;

import io.assay.server.store.LogTables;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** {@link LogTables} in SQL both backends run unchanged; one per transaction, on its thread. */
final class JdbcLogTables implements LogTables {
    /** Advisory lock key of the sequencer ("assaylog" in ASCII). */
    static final long SEQUENCER_LOCK = 0x61737361796c6f67L;

    private final JdbcTx tx;

    JdbcLogTables(JdbcTx tx) {
        this.tx = tx;
    }

    @Override
    public boolean tryLockSequencer() {
        return tx.tryAdvisoryXactLock(SEQUENCER_LOCK);
    }

    @Override
    public List<Queued> queued(int limit) {
        return tx.query("SELECT q.id, q.host_id, q.seq, r.envelope FROM log_queue q JOIN reports r"
                        + " ON r.host_id = q.host_id AND r.seq = q.seq ORDER BY q.id LIMIT ?",
                ps -> ps.setInt(1, limit),
                rs -> new Queued(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4)));
    }

    @Override
    public void dequeue(long upToId) {
        tx.update("dequeue log entries", "DELETE FROM log_queue WHERE id <= ?", ps -> ps.setLong(1, upToId));
    }

    @Override
    public long size() {
        return tx.queryOne("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM log_leaves", ps -> {}, rs -> rs.getLong(1))
                .orElse(0L);
    }

    @Override
    public void insertLeaf(Leaf leaf) {
        tx.update("store log leaf " + leaf.index(), "INSERT INTO log_leaves (leaf_index, host_id, seq) VALUES (?, ?, ?)",
                ps -> {
                    ps.setLong(1, leaf.index());
                    ps.setString(2, leaf.hostId());
                    ps.setLong(3, leaf.seq());
                });
    }

    @Override
    public Optional<Leaf> leaf(long index) {
        return tx.queryOne("SELECT leaf_index, host_id, seq FROM log_leaves WHERE leaf_index = ?",
                ps -> ps.setLong(1, index), rs -> new Leaf(rs.getLong(1), rs.getString(2), rs.getLong(3)));
    }

    @Override
    public OptionalLong leafIndexOf(String hostId, long seq) {
        return tx.queryOne("SELECT leaf_index FROM log_leaves WHERE host_id = ? AND seq = ?", ps -> {
            ps.setString(1, hostId);
            ps.setLong(2, seq);
        }, rs -> rs.getLong(1)).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public List<Leaf> leavesOf(String hostId, long fromSeq, long toSeq) {
        return tx.query("SELECT leaf_index, host_id, seq FROM log_leaves WHERE host_id = ? AND seq >= ? AND seq <= ?"
                + " ORDER BY seq", ps -> {
                    ps.setString(1, hostId);
                    ps.setLong(2, fromSeq);
                    ps.setLong(3, toSeq);
                }, rs -> new Leaf(rs.getLong(1), rs.getString(2), rs.getLong(3)));
    }

    @Override
    public Optional<byte[]> node(int level, long index) {
        return tx.queryOne("SELECT hash FROM log_nodes WHERE level = ? AND idx = ?", ps -> {
            ps.setInt(1, level);
            ps.setLong(2, index);
        }, rs -> rs.getBytes(1));
    }

    @Override
    public void insertNode(int level, long index, byte[] hash) {
        tx.update("store log node", "INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)", ps -> {
            ps.setInt(1, level);
            ps.setLong(2, index);
            ps.setBytes(3, hash);
        });
    }

    @Override
    public long insertCheckpoint(long size, String note, String logKey, Instant createdAt) {
        tx.update("store checkpoint", "INSERT INTO log_checkpoints (size, note, log_key, created_at) VALUES (?, ?, ?, ?)",
                ps -> {
                    ps.setLong(1, size);
                    ps.setString(2, note);
                    ps.setString(3, logKey);
                    ps.setLong(4, createdAt.toEpochMilli());
                });
        // Matched on content, not "the newest": another collector on the database may have inserted since.
        return tx.queryOne("SELECT MAX(id) FROM log_checkpoints WHERE size = ? AND note = ?", ps -> {
            ps.setLong(1, size);
            ps.setString(2, note);
        }, rs -> rs.getLong(1)).orElseThrow();
    }

    @Override
    public Optional<StoredCheckpoint> latestCheckpoint() {
        return checkpointWhere("1 = 1", ps -> {});
    }

    @Override
    public Optional<StoredCheckpoint> checkpointOfSize(long size) {
        return checkpointWhere("size = ?", ps -> ps.setLong(1, size));
    }

    private Optional<StoredCheckpoint> checkpointWhere(String where, JdbcTx.Binder binder) {
        record Row(long id, long size, String note, String key, long at) {}
        Optional<Row> row = tx.queryOne("SELECT id, size, note, log_key, created_at FROM log_checkpoints WHERE " + where
                + " ORDER BY id DESC LIMIT 1", binder, rs -> new Row(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getString(4), rs.getLong(5)));
        return row.map(r -> new StoredCheckpoint(r.id(), r.size(), r.note(), r.key(), Instant.ofEpochMilli(r.at()),
                tx.query("SELECT line FROM log_cosignatures WHERE checkpoint_id = ? ORDER BY witness",
                        ps -> ps.setLong(1, r.id()), rs -> rs.getString(1))));
    }

    @Override
    public void putCosignature(long checkpointId, String witness, String line, Instant at) {
        tx.update("forget old cosignature", "DELETE FROM log_cosignatures WHERE checkpoint_id = ? AND witness = ?", ps -> {
            ps.setLong(1, checkpointId);
            ps.setString(2, witness);
        });
        tx.update("store cosignature", "INSERT INTO log_cosignatures (checkpoint_id, witness, line, at) VALUES (?,?,?,?)",
                ps -> {
                    ps.setLong(1, checkpointId);
                    ps.setString(2, witness);
                    ps.setString(3, line);
                    ps.setLong(4, at.toEpochMilli());
                });
    }

    @Override
    public long witnessSize(String url) {
        return tx.queryOne("SELECT size FROM log_witness_state WHERE witness = ?", ps -> ps.setString(1, url),
                rs -> rs.getLong(1)).orElse(0L);
    }

    @Override
    public void setWitnessSize(String url, long size) {
        tx.update("forget witness size", "DELETE FROM log_witness_state WHERE witness = ?", ps -> ps.setString(1, url));
        tx.update("store witness size", "INSERT INTO log_witness_state (witness, size) VALUES (?, ?)", ps -> {
            ps.setString(1, url);
            ps.setLong(2, size);
        });
    }
}
