package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A stored bearer token. Only the SHA-256 of the token is kept, never the token itself.
 *
 * @param tokenHash lowercase hex SHA-256 of the whole token string
 * @param hostId the host a {@link Role#HOST} token is bound to; empty for every other role
 */
public record TokenRecord(String tokenHash, Role role, Optional<String> hostId, String note, Instant createdAt,
        Optional<Instant> expiresAt, OptionalLong usesLeft, Optional<Instant> revokedAt) {

    /** A token that never expires, has no use limit and is not revoked. */
    public TokenRecord(String tokenHash, Role role, Optional<String> hostId, String note, Instant createdAt) {
        this(tokenHash, role, hostId, note, createdAt, Optional.empty(), OptionalLong.empty(), Optional.empty());
    }

    public TokenRecord {
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(usesLeft, "usesLeft");
        requireNonNull(revokedAt, "revokedAt");
        requireNonNull(tokenHash, "tokenHash");
        requireNonNull(role, "role");
        requireNonNull(hostId, "hostId");
        requireNonNull(note, "note");
        requireNonNull(createdAt, "createdAt");
        if ((role == Role.HOST) != hostId.isPresent()) {
            throw new IllegalArgumentException("a token is bound to a host id exactly when its role is host");
        }
    }
}
