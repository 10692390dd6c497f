package io.assay.server.api;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import io.assay.server.auth.Tokens;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/** Resolves a request's bearer token to its stored record and checks roles. Thread-safe. */
final class Authenticator {
    private final Store store;

    Authenticator(Store store) {
        this.store = requireNonNull(store, "store");
    }

    /** The token record of the request; 401 when the header is missing or the token unknown. */
    TokenRecord authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw unauthorized("this endpoint needs an Authorization: Bearer <token> header");
        }
        String hash = Tokens.hash(header.substring(7).trim());
        TokenRecord token = store.read(tx -> tx.findToken(hash))
                .orElseThrow(() -> unauthorized("the bearer token is not known to this collector;"
                        + " create one with 'assay-server token create'"));
        if (token.revokedAt().isPresent()) {
            throw unauthorized("the bearer token was revoked at " + token.revokedAt().get() + "; ask for a new one");
        }
        return token;
    }

    /** Throws 403 unless {@code token} has one of {@code allowed}. */
    static void require(TokenRecord token, Role... allowed) {
        for (Role r : allowed) {
            if (token.role() == r) return;
        }
        throw ApiException.of(403, "forbidden", "Forbidden", "a " + token.role().wireName()
                + " token cannot do this; it needs a token with role "
                + Arrays.stream(allowed).map(Role::wireName).collect(Collectors.joining(" or ")));
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(io.assay.protocol.api.Problem.of(401, "unauthorized", "Unauthorized", detail),
                Map.of("WWW-Authenticate", "Bearer realm=\"assay\""));
    }
}
