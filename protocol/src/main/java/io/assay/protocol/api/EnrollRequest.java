package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code POST /api/v1/enroll} body; the enrollment token travels as the bearer token.
 *
 * @param signedAtMs when the agent signed the request (epoch ms); the collector accepts it within
 *     {@link #MAX_AGE_MS} of its own clock, so a captured request cannot be replayed later
 * @param proof proof of possession: base64 Ed25519 signature by {@code publicKey} over
 *     {@link #proofMessage}, binding the key to this enrollment token and time; "" when absent
 *     (older agents), which the collector refuses
 */
public record EnrollRequest(HostIdentity identity, String publicKey, String agentVersion, long signedAtMs, String proof) {
    /** How far the request's time may be from the collector's. */
    public static final long MAX_AGE_MS = 10 * 60_000L;

    public EnrollRequest {
        requireNonNull(identity, "identity");
        requireNonNull(publicKey, "publicKey");
        requireNonNull(agentVersion, "agentVersion");
        if (proof == null) proof = "";
    }

    /** An unsigned request (tools and tests of refusals). */
    public EnrollRequest(HostIdentity identity, String publicKey, String agentVersion) {
        this(identity, publicKey, agentVersion, 0, "");
    }

    /** A request signed with the host key over the enrollment token (by its SHA-256) and the time. */
    public static EnrollRequest signed(HostIdentity identity, Ed25519Signer key, String agentVersion, String token,
            long nowMs) {
        String publicKey = key.publicKey().base64();
        byte[] sig = key.sign(proofMessage(Hashes.sha256Hex(token.getBytes(StandardCharsets.UTF_8)), nowMs, publicKey));
        return new EnrollRequest(identity, publicKey, agentVersion, nowMs, Base64.getEncoder().encodeToString(sig));
    }

    /** What the proof signs: {@code "assay-enroll/v1\n" tokenSha256Hex "\n" signedAtMs "\n" publicKey "\n"}. */
    public static byte[] proofMessage(String tokenSha256Hex, long signedAtMs, String publicKey) {
        return ("assay-enroll/v1\n" + tokenSha256Hex + "\n" + signedAtMs + "\n" + publicKey + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
