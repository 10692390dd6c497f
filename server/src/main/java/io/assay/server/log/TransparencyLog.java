package io.assay.server.log;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.VerificationException;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.protocol.log.SignedNote;
import io.assay.protocol.log.TreeHash;
import io.assay.server.store.LogTables;
import io.assay.server.store.Store;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's transparency log: integrates stored reports (each envelope's exact bytes is a
 * leaf), signs C2SP checkpoints with the log key at an interval and on demand (all kept), submits
 * them to witnesses, and serves proofs. Thread-safe: the sequencer and checkpoint signing run on
 * the {@code assay-log} thread or a caller's, serialised by this object's lock within a process
 * and by the sequencer lock ({@link LogTables#tryLockSequencer}) across collectors.
 *
 * <p>Start-up ({@link #open}) checks the stored state against the newest signed checkpoint: the
 * signature must verify with this log's key, the log must hold at least that many leaves, and
 * the root recomputed from the stored nodes must equal the signed one. Otherwise the collector
 * refuses to start ({@link LogIntegrityException}): the log is rebuilt by nobody.
 */
public final class TransparencyLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransparencyLog.class);

    private final Store store;
    private final NoteSigner key;
    private final Clock clock;
    private final LogConfig config;
    private final Sequencer sequencer;
    private final WitnessClient witnessClient = new WitnessClient();
    private ScheduledExecutorService scheduler;

    private TransparencyLog(Store store, NoteSigner key, Clock clock, LogConfig config) {
        this.store = store;
        this.key = key;
        this.clock = clock;
        this.config = config;
        this.sequencer = new Sequencer(store);
    }

    /**
     * Loads the log key and checks the stored log against the newest checkpoint.
     *
     * @throws LogIntegrityException the stored log does not match the last signed checkpoint
     */
    public static TransparencyLog open(Store store, NoteSigner key, Clock clock, LogConfig config) {
        TransparencyLog t = new TransparencyLog(requireNonNull(store), requireNonNull(key), requireNonNull(clock),
                requireNonNull(config));
        t.verifyStoredState();
        return t;
    }

    public NoteVerifierKey verifierKey() {
        return key.verifierKey();
    }

    /** Starts integrating and checkpointing in the background ({@code assay-log} thread). */
    public synchronized void startBackground() {
        if (scheduler != null) return;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "assay-log");
            th.setDaemon(true);
            return th;
        });
        if (config.sequencerEnabled()) {
            long ms = config.integrateInterval().toMillis();
            scheduler.scheduleWithFixedDelay(() -> guarded("integrate", this::integrate), ms, ms, TimeUnit.MILLISECONDS);
            long cp = config.checkpointInterval().toMillis();
            scheduler.scheduleWithFixedDelay(() -> guarded("checkpoint", this::checkpoint), cp, cp, TimeUnit.MILLISECONDS);
        }
    }

    private void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // The next run retries; a database outage must not kill the thread.
            log.warn("log: {} failed, will retry: {}", what, e.toString());
        }
    }

    private void verifyStoredState() {
        Optional<LogTables.StoredCheckpoint> latest = store.read(tx -> tx.log().latestCheckpoint());
        if (latest.isEmpty()) return;
        Checkpoint cp;
        try {
            cp = Checkpoint.open(latest.get().note(), key.verifierKey()).checkpoint();
        } catch (VerificationException | RuntimeException e) {
            throw new LogIntegrityException("log " + key.name() + ": the newest stored checkpoint does not verify with"
                    + " this collector's log key (" + e.getMessage() + "). The database or the key file was replaced;"
                    + " restore the right ones.", e);
        }
        long size = store.read(tx -> tx.log().size());
        if (size < cp.size()) {
            throw new LogIntegrityException("log " + key.name() + ": the database holds " + size + " leaves but checkpoint "
                    + cp.size() + " was signed: the log was truncated. Restore the database from a backup.");
        }
        TreeHash root;
        try {
            root = store.read(tx -> Merkle.root(new StoredSubtrees(tx.log()), cp.size()));
        } catch (IllegalStateException e) {
            throw new LogIntegrityException("log " + key.name() + ": " + e.getMessage() + " (needed for tree size "
                    + cp.size() + "): the log was edited. Restore the database from a backup.", e);
        }
        if (!root.equals(cp.root())) {
            throw new LogIntegrityException("log " + key.name() + ": the root recomputed from stored nodes for tree size "
                    + cp.size() + " is " + root + " but the signed checkpoint says " + cp.root()
                    + ": the log was edited. Restore the database from a backup.");
        }
        log.info("log {}: stored state matches checkpoint {} (root {})", key.name(), cp.size(), cp.root());
    }

    /** Integrates every queued report now; returns the log size. */
    public synchronized long integrate() {
        return sequencer.integrateAll();
    }

    /**
     * Integrates, then signs a checkpoint of the current size unless the newest one already has
     * that size, and submits a new one to the witnesses. Returns the newest checkpoint note with
     * the cosignatures held for it.
     */
    public synchronized String checkpoint() {
        if (config.sequencerEnabled()) integrate();
        Optional<Signed> signed = store.inTransaction(tx -> {
            LogTables t = tx.log();
            long size = t.size();
            Optional<LogTables.StoredCheckpoint> latest = t.latestCheckpoint();
            if (latest.isPresent() && latest.get().size() == size) return Optional.<Signed>empty();
            TreeHash root = Merkle.root(new StoredSubtrees(t), size);
            Checkpoint cp = new Checkpoint(key.name(), size, root);
            String note = cp.sign(key).encode();
            long id = t.insertCheckpoint(size, note, key.verifierKey().encode(), clock.instant());
            return Optional.of(new Signed(id, cp, note));
        });
        signed.ifPresent(s -> {
            log.info("log {}: signed checkpoint {} (root {})", key.name(), s.checkpoint().size(), s.checkpoint().root());
            submitToWitnesses(s);
        });
        return latestNote().orElseThrow();
    }

    private record Signed(long id, Checkpoint checkpoint, String note) {}

    private void submitToWitnesses(Signed s) {
        for (LogConfig.Witness w : config.witnesses()) {
            String url = w.url().toString();
            try {
                long old = store.read(tx -> tx.log().witnessSize(url));
                for (int attempt = 0; attempt < 2; attempt++) {
                    if (old > s.checkpoint().size()) {
                        log.warn("log {}: witness {} holds size {} > {}; it will not cosign a smaller tree", key.name(), url,
                                old, s.checkpoint().size());
                        break;
                    }
                    long from = old;
                    List<TreeHash> proof = store.read(tx -> Merkle.consistencyProof(new StoredSubtrees(tx.log()), from,
                            s.checkpoint().size()));
                    WitnessClient.Answer a = witnessClient.addCheckpoint(w, s.note(), s.checkpoint(), old, proof);
                    if (a instanceof WitnessClient.Cosigned c) {
                        store.inTransaction(tx -> {
                            tx.log().putCosignature(s.id(), w.key().name(), c.line().line(), clock.instant());
                            tx.log().setWitnessSize(url, s.checkpoint().size());
                            return null;
                        });
                        log.info("log {}: witness {} cosigned checkpoint {}", key.name(), w.key().name(),
                                s.checkpoint().size());
                        break;
                    } else if (a instanceof WitnessClient.WrongOldSize ws) {
                        old = ws.size();
                        long held = old;
                        store.inTransaction(tx -> {
                            tx.log().setWitnessSize(url, held);
                            return null;
                        });
                    } else if (a instanceof WitnessClient.Refused r) {
                        log.warn("log {}: witness {} refused checkpoint {}: {} {}", key.name(), url, s.checkpoint().size(),
                                r.status(), r.reason());
                        break;
                    }
                }
            } catch (IOException e) {
                log.warn("log {}: witness {} unreachable: {}", key.name(), url, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The newest checkpoint with every cosignature line held for it. */
    public Optional<String> latestNote() {
        return store.read(tx -> tx.log().latestCheckpoint()).map(TransparencyLog::withCosignatures);
    }

    /** The newest checkpoint of exactly {@code size}, with cosignatures. */
    public Optional<String> noteOfSize(long size) {
        return store.read(tx -> tx.log().checkpointOfSize(size)).map(TransparencyLog::withCosignatures);
    }

    /** The stored note with the cosignature lines collected for it appended. */
    public static String withCosignatures(LogTables.StoredCheckpoint c) {
        StringBuilder sb = new StringBuilder(c.note());
        for (String line : c.cosignatures()) {
            if (!c.note().contains(line)) sb.append(line.endsWith("\n") ? line : line + "\n");
        }
        return sb.toString();
    }

    /** An inclusion proof of one report: its leaf index, leaf hash and the audit path. */
    public record InclusionProof(long index, TreeHash leafHash, List<TreeHash> hashes) {}

    /** Why a proof cannot be given. */
    public static final class ProofException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean notFound;

        ProofException(boolean notFound, String message) {
            super(message);
            this.notFound = notFound;
        }

        public boolean isNotFound() {
            return notFound;
        }
    }

    /** The inclusion proof of report {@code hostId/seq} in the tree of {@code size} leaves. */
    public InclusionProof inclusion(String hostId, long seq, long size) throws ProofException {
        record Lookup(OptionalLong index, long logSize) {}
        Lookup l = store.read(tx -> new Lookup(tx.log().leafIndexOf(hostId, seq), tx.log().size()));
        if (l.index().isEmpty()) {
            throw new ProofException(true, "report " + hostId + "/" + seq + " is not in the log (not stored, or not"
                    + " integrated yet; the sequencer runs every " + config.integrateInterval().toMillis() + " ms)");
        }
        long index = l.index().getAsLong();
        if (size > l.logSize()) throw new ProofException(false, "size " + size + " is larger than the log (" + l.logSize() + ")");
        if (index >= size) {
            throw new ProofException(false, "report " + hostId + "/" + seq + " is leaf " + index
                    + ", not inside the tree of size " + size);
        }
        return store.read(tx -> {
            StoredSubtrees nodes = new StoredSubtrees(tx.log());
            return new InclusionProof(index, nodes.node(0, index), Merkle.inclusionProof(nodes, index, size));
        });
    }

    /** The consistency proof from tree size {@code from} to {@code to}. */
    public List<TreeHash> consistency(long from, long to) throws ProofException {
        if (from < 0 || from > to) throw new ProofException(false, "from " + from + " must be between 0 and to " + to);
        return store.read(tx -> {
            long size = tx.log().size();
            if (to > size) return Optional.<List<TreeHash>>empty();
            return Optional.of(Merkle.consistencyProof(new StoredSubtrees(tx.log()), from, to));
        }).orElseThrow(() -> new ProofException(false, "to " + to + " is larger than the log"));
    }

    /** The log's current number of leaves (integrated reports). */
    public long size() {
        return store.read(tx -> tx.log().size());
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }
}
