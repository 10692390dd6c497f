package io.assay.server.log;

import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.TreeHash;
import io.assay.server.store.LogTables;
import io.assay.server.store.Store;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Integrates queued reports into the log, one batch per transaction: assigns leaf indexes in
 * queue order, stores each leaf hash and every perfect subtree the batch completes, and removes
 * the batch from the queue, all or nothing. Only one sequencer runs at a time across every
 * collector on the database ({@link LogTables#tryLockSequencer}); a collector that does not get
 * the lock simply leaves the work to the one that has it.
 */
final class Sequencer {
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);
    /** Leaves per transaction: bounds the time the write lock is held. */
    static final int BATCH = 2000;

    private final Store store;

    Sequencer(Store store) {
        this.store = store;
    }

    /** Integrates until the queue is empty (or another collector sequences); returns the log size. */
    long integrateAll() {
        while (true) {
            Step step = store.inTransaction(this::integrateBatch);
            if (step.added() == 0) return step.size();
        }
    }

    private record Step(long size, int added) {}

    private Step integrateBatch(Store.Tx tx) {
        LogTables t = tx.log();
        if (!t.tryLockSequencer()) return new Step(t.size(), 0);
        List<LogTables.Queued> batch = t.queued(BATCH);
        long size = t.size();
        if (batch.isEmpty()) return new Step(size, 0);
        StoredSubtrees nodes = new StoredSubtrees(t);
        for (LogTables.Queued q : batch) {
            long index = size++;
            t.insertLeaf(new LogTables.Leaf(index, q.hostId(), q.seq()));
            TreeHash h = Merkle.leafHash(q.envelope());
            nodes.put(0, index, h);
            t.insertNode(0, index, h.bytes());
            // Each right child completes its parent: climb while the index is odd.
            long i = index;
            int level = 0;
            while ((i & 1) == 1) {
                h = Merkle.nodeHash(nodes.node(level, i - 1), h);
                i >>= 1;
                level++;
                nodes.put(level, i, h);
                t.insertNode(level, i, h.bytes());
            }
        }
        t.dequeue(batch.get(batch.size() - 1).id());
        log.debug("log: integrated {} leaves, size now {}", batch.size(), size);
        return new Step(size, batch.size());
    }
}
