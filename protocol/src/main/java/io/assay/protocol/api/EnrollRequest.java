package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

/** {@code POST /api/v1/enroll} body; the enrollment token travels as the bearer token. */
public record EnrollRequest(HostIdentity identity, String publicKey, String agentVersion) {
    public EnrollRequest {
        requireNonNull(identity, "identity");
        requireNonNull(publicKey, "publicKey");
        requireNonNull(agentVersion, "agentVersion");
    }
}
