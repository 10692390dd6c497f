package io.assay.server.ingest;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Chain;
import io.assay.protocol.Ed25519PublicKey;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.Report;
import io.assay.protocol.VerificationException;
import io.assay.protocol.api.Ack;
import io.assay.protocol.api.BatchResponse;
import io.assay.protocol.api.RawEnvelope;
import io.assay.protocol.api.ReportBatch;
import io.assay.server.ingest.IngestRejectedException.Reason;
import io.assay.server.store.ChainBreak;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Store;
import io.assay.server.store.StoredReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts report batches of one host. Thread-safe; batches of different hosts run in parallel as
 * far as the store lets writers run in parallel.
 *
 * <p>Contract: reports are taken in batch order and processing stops at the first refused one.
 * Reports before it stay stored and are acknowledged in the exception. Each accepted report is
 * committed in the same transaction as the move of its host's chain end, so the chain in the
 * database never points past or short of the stored reports. A report whose seq is stored with
 * the same payload hash is acknowledged {@code duplicate} and not stored again; one with a
 * different hash is a fork: refused, and recorded as a {@code fork} host event with the refused
 * envelope as evidence. A report refused for a gap or a wrong {@code prev} is recorded as a
 * {@link ChainBreak} (one per chain end, counting retries) and told to the listener, in the
 * transaction that answers the refusal.
 *
 * <p>Signatures are verified before the write transaction, so the CPU-heavy part runs in
 * parallel and the host is locked ({@link Store.Tx#lockHost}) only for the chain check and the
 * inserts. That lock, not any writer lock of a backend, is what makes two collectors sharing a
 * database store one copy of each report when an agent's retry reaches the other collector. The report's
 * own times are recorded, never used for acceptance: a skewed agent clock must not lock it out.
 */
public final class Ingestor {
    private static final Logger log = LoggerFactory.getLogger(Ingestor.class);

    /** A report window may end this far after the collector received it (clock jitter) before it is flagged. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(2);

    private final Store store;
    private final Clock clock;
    /** Pinned keys never change for a host id, so decoding each once is safe. */
    private final Map<String, Ed25519PublicKey> keys = new ConcurrentHashMap<>();

    private final IngestListener listener;

    public Ingestor(Store store, Clock clock) {
        this(store, clock, IngestListener.NONE);
    }

    /** An ingestor that tells {@code listener} of each stored report, in the storing transaction. */
    public Ingestor(Store store, Clock clock, IngestListener listener) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.listener = requireNonNull(listener, "listener");
    }

    /**
     * Ingests {@code batch} for the host {@code hostId} that the caller's token is bound to.
     *
     * @return one ack per report, in batch order
     * @throws IngestRejectedException a report was refused; its acks cover the reports before it
     */
    public BatchResponse ingest(String hostId, ReportBatch batch) throws IngestRejectedException {
        return ingest(hostId, batch.reports().stream().map(RawEnvelope::of).toList());
    }

    /**
     * Ingests envelopes with the exact bytes they arrived in ({@link RawEnvelope#parseBatch}):
     * those bytes are what is stored and what becomes the report's transparency-log leaf.
     *
     * @return one ack per report, in batch order
     * @throws IngestRejectedException a report was refused; its acks cover the reports before it
     */
    public BatchResponse ingest(String hostId, List<RawEnvelope> envelopes) throws IngestRejectedException {
        return ingest(hostId, envelopes, "");
    }

    /** As {@link #ingest(String, List)}, from the upload's source IP address (recorded with each stored report). */
    public BatchResponse ingest(String hostId, List<RawEnvelope> envelopes, String sourceAddress)
            throws IngestRejectedException {
        ReportBatch batch = new ReportBatch(envelopes.stream().map(RawEnvelope::envelope).toList());
        HostRecord host = store.read(tx -> tx.findHost(hostId)).orElseThrow(() -> new IngestRejectedException(
                Reason.UNKNOWN_HOST, "host " + hostId + " is not enrolled; enroll the agent again"));
        Ed25519PublicKey key = keys.computeIfAbsent(hostId, id -> Ed25519PublicKey.fromBase64(host.publicKey()));

        List<Opened> opened = new ArrayList<>();
        IngestRejectedException refusedBeforeStore = null;
        for (int i = 0; i < batch.reports().size(); i++) {
            try {
                SignedReport report = open(batch.reports().get(i), key, hostId);
                opened.add(new Opened(report, envelopes.get(i).json()));
            } catch (IngestRejectedException e) {
                refusedBeforeStore = e;
                break;
            }
        }

        Instant receivedAt = clock.instant();
        // Nothing verified, nothing to write: do not queue for the writer lock.
        Outcome outcome = opened.isEmpty() ? new Outcome(List.of(), Optional.empty())
                : store.inTransaction(tx -> store(tx, hostId, opened, receivedAt, sourceAddress));
        if (outcome.refused().isPresent()) throw outcome.refused().get();
        if (refusedBeforeStore != null) {
            int index = opened.size();
            throw refusedBeforeStore.withPosition(index, seqOf(batch.reports().get(index)), outcome.acks());
        }
        log.debug("{}: batch of {} stored", hostId, outcome.acks().size());
        return new BatchResponse(outcome.acks());
    }

    private static SignedReport open(Envelope envelope, Ed25519PublicKey key, String hostId)
            throws IngestRejectedException {
        SignedReport report;
        try {
            report = Envelopes.open(envelope, key);
        } catch (VerificationException e) {
            throw new IngestRejectedException(Reason.BAD_SIGNATURE, e.getMessage()
                    + "; the report was not signed by this host's enrolled key, or was changed after signing");
        } catch (ProtocolException e) {
            throw new IngestRejectedException(Reason.MALFORMED, e.getMessage());
        }
        if (!report.report().hostId().equals(hostId)) {
            throw new IngestRejectedException(Reason.UNKNOWN_HOST, "report names host " + report.report().hostId()
                    + " but the token belongs to host " + hostId + "; a host may upload only its own reports");
        }
        return report;
    }

    /** Best-effort seq of a refused envelope, for the problem answer only; never trusted. */
    private static long seqOf(Envelope envelope) {
        try {
            return Json.fromBytes(Envelopes.unverifiedPayload(envelope), Report.class).seq();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private record Outcome(List<Ack> acks, Optional<IngestRejectedException> refused) {}

    /** A verified report and the envelope bytes it came in (stored verbatim). */
    private record Opened(SignedReport report, String envelopeJson) {}

    /**
     * Records an agent clock ahead of the collector's (a window ending after the report arrived,
     * beyond {@link #MAX_CLOCK_SKEW}) as a host event, once per batch. Reports arriving late are
     * normal (a spool draining after an outage) and not flagged. The report is accepted either
     * way: acceptance never depends on the agent's clock.
     */
    private static void flagClockSkew(Store.Tx tx, Report r, Instant receivedAt, boolean firstOfBatch) {
        long aheadMs = r.windowEndMs() - receivedAt.toEpochMilli();
        if (!firstOfBatch || aheadMs <= MAX_CLOCK_SKEW.toMillis()) return;
        String detail = "report seq " + r.seq() + " ends " + aheadMs / 1000 + " s after the collector received it: the"
                + " agent's clock is ahead by at least that (bound " + MAX_CLOCK_SKEW.toSeconds() + " s); fix its time sync";
        tx.insertEvent(new HostEvent(r.hostId(), HostEvent.Kind.CLOCK_SKEW, r.seq(), detail, receivedAt, Optional.empty()));
        log.warn("{}: clock skew: seq {} ends {} s in the collector's future", r.hostId(), r.seq(), aheadMs / 1000);
    }

    private Outcome store(Store.Tx tx, String hostId, List<Opened> reports, Instant receivedAt, String sourceAddress) {
        // Locked: another collector on the same database may be storing a batch of this host right now.
        HostRecord host = tx.lockHost(hostId).orElseThrow(() -> new IllegalStateException("host " + hostId + " vanished"));
        Optional<Chain.Link> end = host.chainEnd();
        List<Ack> acks = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            SignedReport sr = reports.get(i).report();
            String envelopeJson = reports.get(i).envelopeJson();
            Report r = sr.report();
            long lastSeq = end.map(Chain.Link::seq).orElse(0L);
            if (r.seq() <= lastSeq) {
                Optional<StoredReport> stored = tx.findReport(hostId, r.seq());
                if (stored.isPresent() && stored.get().row().payloadHash().equals(sr.payloadHash())) {
                    acks.add(new Ack(hostId, r.seq(), Ack.DUPLICATE, sr.payloadHash()));
                    continue;
                }
                String detail = "seq " + r.seq() + " is already stored with payload hash "
                        + stored.map(s -> s.row().payloadHash()).orElse("(missing)") + " but this report's hash is "
                        + sr.payloadHash() + "; two different signed reports share one seq (cloned key or replay)."
                        + " Recorded as a fork against the host";
                tx.insertEvent(new HostEvent(hostId, HostEvent.Kind.FORK, r.seq(), detail, receivedAt,
                        Optional.of(envelopeJson)));
                log.warn("{}: fork at seq {}: a second, different signed report was uploaded", hostId, r.seq());
                return new Outcome(acks, Optional.of(new IngestRejectedException(Reason.SEQ_REUSED, detail, i, r.seq(),
                        acks).withChainEnd(lastSeq, end.map(Chain.Link::payloadHash).orElse(""))));
            }
            try {
                Chain.verifyNext(end, r);
            } catch (Chain.ChainException e) {
                Reason reason = switch (e.reason()) {
                    case SEQ_REUSED -> Reason.SEQ_REUSED;
                    case SEQ_GAP -> Reason.SEQ_GAP;
                    case PREV_MISMATCH -> Reason.PREV_MISMATCH;
                };
                log.debug("{}: refused seq {}: {}", hostId, r.seq(), e.getMessage());
                if (reason != Reason.SEQ_REUSED) {
                    // Recorded in this (committing) transaction, once per chain end however often it is retried.
                    ChainBreak recorded = tx.recordChainBreak(hostId, reason == Reason.SEQ_GAP ? ChainBreak.Kind.SEQ_GAP
                            : ChainBreak.Kind.PREV_MISMATCH, lastSeq, r.seq(), e.getMessage(), receivedAt);
                    listener.chainBroken(tx, recorded, receivedAt);
                    if (recorded.refusals() == 1) {
                        log.warn("{}: chain broken at seq {}: {}", hostId, lastSeq, e.getMessage());
                    }
                }
                return new Outcome(acks, Optional.of(new IngestRejectedException(reason, e.getMessage(), i, r.seq(),
                        acks).withChainEnd(lastSeq, end.map(Chain.Link::payloadHash).orElse(""))));
            }
            tx.appendReport(new StoredReport(new ReportRow(hostId, r.seq(), sr.payloadHash(), r.windowStartMs(),
                    r.windowEndMs(), r.verdict(), receivedAt, r.agentStartedMs()), envelopeJson));
            listener.stored(tx, hostId, r, receivedAt, sourceAddress);
            end = Optional.of(new Chain.Link(r.seq(), sr.payloadHash()));
            acks.add(new Ack(hostId, r.seq(), Ack.ACCEPTED, sr.payloadHash()));
            flagClockSkew(tx, r, receivedAt, acks.size() == 1);
        }
        return new Outcome(acks, Optional.empty());
    }
}
