package io.assay.server.auth;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Hashes;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Makes and stores bearer tokens. A token is {@code assay_<role>_} plus 32 random bytes in
 * unpadded base64url; the readable prefix lets people and secret scanners tell what a leaked
 * string is. Only the token's SHA-256 is stored, so a copy of the database grants nothing.
 * Thread-safe.
 */
public final class Tokens {
    private static final int RANDOM_BYTES = 32;

    private final SecureRandom random;

    public Tokens(SecureRandom random) {
        this.random = requireNonNull(random, "random");
    }

    /** The stored form of {@code token}: lowercase hex SHA-256 of its UTF-8 bytes. */
    public static String hash(String token) {
        return Hashes.sha256Hex(token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Creates a token, stores its hash in {@code tx}, and returns the token. This is the only time
     * the token exists in clear; the caller hands it to its owner and forgets it.
     *
     * @param hostId the host a {@link Role#HOST} token is bound to; empty for other roles
     */
    public String issue(Store.Tx tx, Role role, Optional<String> hostId, String note, Instant now) {
        return issue(tx, role, hostId, note, now, Optional.empty(), java.util.OptionalLong.empty());
    }

    /** As {@link #issue(Store.Tx, Role, Optional, String, Instant)}, with an expiry and a use count (enroll tokens). */
    public String issue(Store.Tx tx, Role role, Optional<String> hostId, String note, Instant now,
            Optional<Instant> expiresAt, java.util.OptionalLong uses) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String token = "assay_" + role.wireName() + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tx.insertToken(new TokenRecord(hash(token), role, hostId, note, now, expiresAt, uses, Optional.empty()));
        return token;
    }
}
