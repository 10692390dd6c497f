package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Chain;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.HostIdentity;
import java.time.Instant;
import java.util.Optional;

/**
 * An enrolled host: its pinned key, the identity it presented, and where its report chain ends.
 *
 * @param publicKey standard base64 of the pinned 32-byte Ed25519 key
 * @param lastSeq seq of the last accepted report, 0 when none was accepted yet
 * @param lastHash payload SHA-256 (hex) of the last accepted report, "" when none
 * @param lastSeen when the collector last accepted a report of this host (collector clock)
 */
public record HostRecord(
        String hostId,
        String publicKey,
        String keyId,
        HostIdentity identity,
        String agentVersion,
        Instant enrolledAt,
        Optional<Instant> lastSeen,
        long lastSeq,
        String lastHash,
        Optional<Verdict> lastVerdict) {

    public HostRecord {
        requireNonNull(hostId, "hostId");
        requireNonNull(publicKey, "publicKey");
        requireNonNull(keyId, "keyId");
        requireNonNull(identity, "identity");
        requireNonNull(agentVersion, "agentVersion");
        requireNonNull(enrolledAt, "enrolledAt");
        requireNonNull(lastSeen, "lastSeen");
        requireNonNull(lastHash, "lastHash");
        requireNonNull(lastVerdict, "lastVerdict");
        if (lastSeq < 0) throw new IllegalArgumentException("lastSeq must be >= 0, was " + lastSeq);
        if ((lastSeq == 0) != lastHash.isEmpty()) {
            throw new IllegalArgumentException("lastHash must be empty exactly when lastSeq is 0");
        }
    }

    /** A newly enrolled host: no report yet. */
    public static HostRecord enrolled(String hostId, String publicKey, String keyId, HostIdentity identity,
            String agentVersion, Instant enrolledAt) {
        return new HostRecord(hostId, publicKey, keyId, identity, agentVersion, enrolledAt,
                Optional.empty(), 0, "", Optional.empty());
    }

    /** Where this host's chain ends, in the form {@link Chain#verifyNext} takes. */
    public Optional<Chain.Link> chainEnd() {
        return lastSeq == 0 ? Optional.empty() : Optional.of(new Chain.Link(lastSeq, lastHash));
    }
}
