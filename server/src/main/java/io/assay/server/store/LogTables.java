package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The transparency log's tables, seen through one transaction ({@link Store.ReadTx#log()}).
 * Writes are only legal in a read-write transaction; the one writer of leaves and nodes is the
 * sequencer, which first takes {@link #tryLockSequencer()}.
 */
public interface LogTables {

    /** A stored report waiting to become a leaf, with its envelope bytes (the leaf data). */
    record Queued(long id, String hostId, long seq, byte[] envelope) {
        public Queued {
            requireNonNull(hostId, "hostId");
            requireNonNull(envelope, "envelope");
        }
    }

    /** A leaf: which report sits at which index. */
    record Leaf(long index, String hostId, long seq) {}

    /** A signed checkpoint as stored, with the cosignature lines collected for it. */
    record StoredCheckpoint(long id, long size, String note, String logKey, Instant createdAt, List<String> cosignatures) {
        public StoredCheckpoint {
            requireNonNull(note, "note");
            requireNonNull(logKey, "logKey");
            requireNonNull(createdAt, "createdAt");
            cosignatures = List.copyOf(cosignatures);
        }
    }

    /**
     * Makes this transaction the only sequencer until it ends: on PostgreSQL an advisory
     * transaction lock (false when another collector holds it; do nothing then), on SQLite always
     * true (the write transaction already excludes every other writer).
     */
    boolean tryLockSequencer();

    /** The oldest queued reports, at most {@code limit}, in queue order. */
    List<Queued> queued(int limit);

    /** Removes queued entries with id up to {@code id}, inclusive. */
    void dequeue(long upToId);

    /** Number of leaves (the next leaf index). */
    long size();

    void insertLeaf(Leaf leaf);

    Optional<Leaf> leaf(long index);

    /** The leaf index of a host's report, if it has been sequenced. */
    OptionalLong leafIndexOf(String hostId, long seq);

    /** The leaves of one host whose report seq lies in {@code [fromSeq, toSeq]}, by seq. */
    List<Leaf> leavesOf(String hostId, long fromSeq, long toSeq);

    /** The hash of the perfect subtree {@code (level, index)}, if stored. */
    Optional<byte[]> node(int level, long index);

    void insertNode(int level, long index, byte[] hash);

    /** Stores a signed checkpoint with the verifier key of the log key that signed it; returns its id. */
    long insertCheckpoint(long size, String note, String logKey, Instant createdAt);

    Optional<StoredCheckpoint> latestCheckpoint();

    /** The newest checkpoint of exactly this size. */
    Optional<StoredCheckpoint> checkpointOfSize(long size);

    /** Adds (or replaces) a witness's cosignature line for a checkpoint. */
    void putCosignature(long checkpointId, String witness, String line, Instant at);

    /** The tree size the witness at {@code url} last cosigned for this log; 0 when never. */
    long witnessSize(String url);

    void setWitnessSize(String url, long size);
}
