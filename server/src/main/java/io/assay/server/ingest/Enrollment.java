package io.assay.server.ingest;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Ed25519PublicKey;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.VerificationException;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.EnrollResponse;
import io.assay.server.auth.Tokens;
import io.assay.server.store.FleetTables;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolls hosts: pins the presented public key to a new host id and issues that host's upload
 * token. Thread-safe.
 *
 * <p>The key, not the hardware identity, is what identifies a host: cloned VMs share system
 * UUIDs, so a second host with a known UUID is still enrolled, with a warning and a
 * {@code clone-suspected} event on both hosts. Re-enrolling a known key is idempotent: same host
 * id, fresh token (older tokens of that host stay valid, so an agent that lost its token can
 * recover without breaking one that did not).
 */
public final class Enrollment {
    private static final Logger log = LoggerFactory.getLogger(Enrollment.class);

    private final Store store;
    private final Tokens tokens;
    private final SecureRandom random;
    private final Clock clock;

    public Enrollment(Store store, Tokens tokens, SecureRandom random, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.tokens = requireNonNull(tokens, "tokens");
        this.random = requireNonNull(random, "random");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Longest accepted identity fields, in characters: generous for real hardware, small for a database row. */
    static final int MAX_HOSTNAME = 253;
    static final int MAX_ID_FIELD = 128;
    static final int MAX_MACS = 64;

    private static void checkLengths(EnrollRequest r) throws IngestRejectedException {
        List<String> problems = new ArrayList<>();
        if (r.identity().hostname().length() > MAX_HOSTNAME) problems.add("hostname is longer than " + MAX_HOSTNAME);
        if (r.identity().systemUuid().length() > MAX_ID_FIELD) problems.add("systemUuid is longer than " + MAX_ID_FIELD);
        if (r.identity().boardSerial().length() > MAX_ID_FIELD) problems.add("boardSerial is longer than " + MAX_ID_FIELD);
        if (r.agentVersion().length() > MAX_ID_FIELD) problems.add("agentVersion is longer than " + MAX_ID_FIELD);
        if (r.identity().macs().size() > MAX_MACS) problems.add("more than " + MAX_MACS + " MAC addresses");
        if (r.identity().macs().stream().anyMatch(m -> m.length() > MAX_ID_FIELD)) {
            problems.add("a MAC address is longer than " + MAX_ID_FIELD);
        }
        if (!problems.isEmpty()) {
            throw new IngestRejectedException(IngestRejectedException.Reason.MALFORMED, "identity fields too long: "
                    + String.join(", ", problems) + " (characters); send the host's real identity");
        }
    }

    /**
     * Enrolls the host of {@code request}, which must be signed with its key over the enrollment
     * token ({@code tokenHash}, the SHA-256 of the bearer token used) and a time near ours.
     */
    public EnrollResponse enroll(EnrollRequest request, String tokenHash) throws IngestRejectedException {
        checkLengths(request);
        Ed25519PublicKey key;
        try {
            key = Ed25519PublicKey.fromBase64(request.publicKey());
        } catch (ProtocolException e) {
            throw new IngestRejectedException(IngestRejectedException.Reason.MALFORMED,
                    "publicKey is not a usable Ed25519 public key: " + e.getMessage()
                            + ". Send the standard base64 of the 32-byte raw key.");
        }
        Instant now = clock.instant();
        checkProof(request, key, tokenHash, now);
        String publicKey = key.base64();
        EnrollResponse response;
        try {
            response = enrollIn(request, tokenHash, key, publicKey, now);
        } catch (TokenRefused e) {
            throw new IngestRejectedException(IngestRejectedException.Reason.TOKEN_REFUSED, e.getMessage());
        }
        log.info("{}: enrolled with key {}{}", response.hostId(), response.keyId(),
                response.warnings().isEmpty() ? "" : " (warning: system UUID shared with another host)");
        return response;
    }

    /** Thrown inside the enrollment transaction, which then rolls back (the token's use is not spent). */
    private static final class TokenRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TokenRefused(String message) {
            super(message, null, false, false);
        }
    }

    private EnrollResponse enrollIn(EnrollRequest request, String tokenHash, Ed25519PublicKey key, String publicKey,
            Instant now) {
        return store.inTransaction(tx -> {
            TokenRecord used = tx.findToken(tokenHash).orElseThrow(() -> new IllegalStateException("token vanished"));
            if (used.expiresAt().isPresent() && !now.isBefore(used.expiresAt().get())) {
                throw new TokenRefused("the enrollment token expired at " + used.expiresAt().get()
                        + "; create a new one with 'assay-server token create --role enroll'");
            }
            if (!tx.useToken(tokenHash)) {
                throw new TokenRefused("the enrollment token has no uses left; create a new one with"
                        + " 'assay-server token create --role enroll --uses N'");
            }
            Optional<HostRecord> known = tx.findHostByPublicKey(publicKey);
            if (known.isPresent()) {
                String hostId = known.get().hostId();
                if (!known.get().identity().equals(request.identity())) {
                    // The recorded identity stays as enrolled; the change is visible to auditors.
                    tx.insertEvent(new HostEvent(hostId, HostEvent.Kind.IDENTITY_CHANGED, 0, "re-enrolled with the same"
                            + " key but identity " + request.identity() + " instead of the recorded "
                            + known.get().identity(), now, Optional.empty()));
                    log.warn("{}: re-enrolled with a different hardware identity; recorded as an event", hostId);
                }
                String token = tokens.issue(tx, Role.HOST, Optional.of(hostId), "re-enrollment", now);
                return new EnrollResponse(hostId, key.keyId(), token, List.of());
            }
            String hostId = newHostId();
            List<String> warnings = new ArrayList<>();
            String uuid = request.identity().systemUuid();
            List<HostRecord> sameUuid = uuid.isBlank() ? List.of() : tx.findHostsBySystemUuid(uuid);
            tx.insertHost(HostRecord.enrolled(hostId, publicKey, key.keyId(), request.identity(),
                    request.agentVersion(), now));
            // The operator and groups the enroll token names (issue 9).
            FleetTables.TokenScope scope = tx.fleet().scope(tokenHash);
            tx.fleet().putMembership(new FleetTables.Membership(hostId,
                    scope.operators().isEmpty() ? FleetTables.DEFAULT_OPERATOR : scope.operators().get(0), scope.groups()));
            for (HostRecord other : sameUuid) {
                String detail = "host " + hostId + " and host " + other.hostId() + " presented the same system UUID "
                        + uuid + " with different keys; probably a cloned VM";
                warnings.add("another host (" + other.hostId() + ") presented the same system UUID " + uuid
                        + "; if this machine is a cloned VM, give it its own system UUID."
                        + " Both are enrolled as separate hosts.");
                tx.insertEvent(new HostEvent(hostId, HostEvent.Kind.CLONE_SUSPECTED, 0, detail, now, Optional.empty()));
                tx.insertEvent(new HostEvent(other.hostId(), HostEvent.Kind.CLONE_SUSPECTED, 0, detail, now,
                        Optional.empty()));
            }
            String token = tokens.issue(tx, Role.HOST, Optional.of(hostId), "enrollment", now);
            return new EnrollResponse(hostId, key.keyId(), token, warnings);
        });
    }

    private static void checkProof(EnrollRequest r, Ed25519PublicKey key, String tokenHash, Instant now)
            throws IngestRejectedException {
        if (r.proof().isEmpty()) {
            throw new IngestRejectedException(IngestRejectedException.Reason.MALFORMED, "the enrollment request carries"
                    + " no proof that the agent holds the private key (fields signedAtMs and proof); this agent is too"
                    + " old for this collector: upgrade it and enroll again");
        }
        long skew = Math.abs(now.toEpochMilli() - r.signedAtMs());
        if (skew > EnrollRequest.MAX_AGE_MS) {
            throw new IngestRejectedException(IngestRejectedException.Reason.MALFORMED, "the enrollment request was"
                    + " signed " + skew / 1000 + " s away from the collector's clock (at most "
                    + EnrollRequest.MAX_AGE_MS / 1000 + " s); fix the host's time and enroll again");
        }
        try {
            key.verify(EnrollRequest.proofMessage(tokenHash, r.signedAtMs(), key.base64()),
                    java.util.Base64.getDecoder().decode(r.proof()));
        } catch (VerificationException | IllegalArgumentException e) {
            throw new IngestRejectedException(IngestRejectedException.Reason.BAD_SIGNATURE, "the enrollment request's"
                    + " proof of possession does not verify with the presented key for this enrollment token: the"
                    + " sender does not hold the private key, or signed for another token");
        }
    }

    private String newHostId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return "h-" + HexFormat.of().formatHex(b);
    }
}
