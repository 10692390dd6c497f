package io.assay.server.ingest;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Ed25519PublicKey;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Hashes;
import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.Report;
import io.assay.protocol.VerificationException;
import io.assay.server.store.HostRecord;
import io.assay.server.store.Store;
import io.assay.server.store.StoredReport;
import java.util.Optional;

/**
 * Re-checks a stored report now, trusting nothing the collector computed at ingest: the stored
 * envelope is verified against the host's pinned key, and its {@code prev} is compared with the
 * hash of the previous stored payload. This is what an auditor relies on when reading a report.
 * Thread-safe.
 */
public final class ReportVerification {
    /** Value of {@link Result#signature()} when the signature verifies. */
    public static final String VALID = "valid";
    /** Value of {@link Result#chain()} when {@code prev} matches (or seq 1 starts the chain). */
    public static final String LINKED = "linked";

    private final Store store;

    public ReportVerification(Store store) {
        this.store = requireNonNull(store, "store");
    }

    /**
     * A stored report, its payload bytes, and the verdicts of the two checks.
     *
     * @param signature {@link #VALID}, or why not
     * @param chain {@link #LINKED}, or why not
     */
    public record Result(StoredReport stored, byte[] payload, String signature, String chain) {}

    /** Checks report {@code seq} of {@code hostId}; empty when the host or report is not stored. */
    public Optional<Result> check(String hostId, long seq) {
        return store.read(tx -> {
            Optional<HostRecord> host = tx.findHost(hostId);
            Optional<StoredReport> stored = tx.findReport(hostId, seq);
            if (host.isEmpty() || stored.isEmpty()) return Optional.empty();
            Optional<StoredReport> previous = seq > 1 ? tx.findReport(hostId, seq - 1) : Optional.empty();
            return Optional.of(check(host.get(), stored.get(), previous));
        });
    }

    private static Result check(HostRecord host, StoredReport stored, Optional<StoredReport> previous) {
        Envelope envelope;
        try {
            envelope = Json.fromJson(stored.envelopeJson(), Envelope.class);
        } catch (ProtocolException e) {
            return new Result(stored, new byte[0], "malformed: " + e.getMessage(), "unknown: envelope unreadable");
        }
        byte[] payload = Envelopes.unverifiedPayload(envelope);
        String signature;
        try {
            Envelopes.open(envelope, Ed25519PublicKey.fromBase64(host.publicKey()));
            signature = VALID;
        } catch (VerificationException e) {
            signature = "invalid: " + e.getMessage();
        } catch (ProtocolException e) {
            signature = "malformed: " + e.getMessage();
        }
        String hash = Hashes.sha256Hex(payload);
        if (!hash.equals(stored.row().payloadHash())) {
            return new Result(stored, payload, signature, "broken: payload hash " + hash
                    + " differs from the indexed hash " + stored.row().payloadHash());
        }
        String prev;
        try {
            prev = Json.fromBytes(payload, Report.class).prev();
        } catch (ProtocolException e) {
            return new Result(stored, payload, signature, "unknown: payload unreadable: " + e.getMessage());
        }
        long seq = stored.row().seq();
        String chain;
        if (seq == 1) {
            chain = prev.isEmpty() ? LINKED : "broken: seq 1 must have an empty prev";
        } else if (previous.isEmpty()) {
            chain = "broken: seq " + (seq - 1) + " is not stored";
        } else if (!prev.equals(previous.get().row().payloadHash())) {
            chain = "broken: prev " + prev + " is not seq " + (seq - 1) + "'s payload hash "
                    + previous.get().row().payloadHash();
        } else {
            chain = LINKED;
        }
        return new Result(stored, payload, signature, chain);
    }
}
