package io.assay.server.log;

import io.assay.protocol.log.SubtreeSource;
import io.assay.protocol.log.TreeHash;
import io.assay.server.store.LogTables;
import java.util.HashMap;
import java.util.Map;

/**
 * Perfect-subtree hashes read from the log tables of one transaction, with nodes written in that
 * transaction but not yet visible (the sequencer's batch) taking precedence. Each node is read
 * once and remembered: stored nodes never change, and the proofs of neighbouring leaves (an
 * evidence export) share most of their upper nodes. Use one instance per transaction.
 */
public final class StoredSubtrees implements SubtreeSource {
    private final LogTables tables;
    private final Map<Long, TreeHash> pending = new HashMap<>();

    public StoredSubtrees(LogTables tables) {
        this.tables = tables;
    }

    private static long key(int level, long index) {
        // level < 64 and index < 2^56 for any log that fits a database.
        return ((long) level << 56) | index;
    }

    void put(int level, long index, TreeHash hash) {
        pending.put(key(level, index), hash);
    }

    @Override
    public TreeHash node(int level, long index) {
        TreeHash p = pending.get(key(level, index));
        if (p != null) return p;
        TreeHash read = tables.node(level, index).map(TreeHash::of).orElseThrow(() -> new IllegalStateException(
                "log node (level " + level + ", index " + index + ") is missing from the database"));
        pending.put(key(level, index), read);
        return read;
    }
}
