package io.assay.server.fleet;

import io.assay.server.api.ApiException;
import io.assay.server.store.FleetTables;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.util.Optional;
import java.util.Set;

/**
 * The operators whose hosts a token sees: admin tokens all; auditor tokens all unless the token
 * names some; operator tokens only those they name (the default operator when they name none,
 * so an unscoped operator token never sees another operator's fleet).
 *
 * @param operators empty = every operator
 */
public record Scope(Optional<Set<String>> operators) {
    public static final Scope ALL = new Scope(Optional.empty());

    public Scope {
        operators = operators.map(Set::copyOf);
    }

    public static Scope of(TokenRecord token, FleetTables fleet) {
        if (token.role() == Role.ADMIN) return ALL;
        var named = fleet.scope(token.tokenHash()).operators();
        if (token.role() == Role.OPERATOR && named.isEmpty()) {
            return new Scope(Optional.of(Set.of(FleetTables.DEFAULT_OPERATOR)));
        }
        return named.isEmpty() ? ALL : new Scope(Optional.of(Set.copyOf(named)));
    }

    /** The scope of the request's token (routes that need a token always have one). */
    public static Scope of(Optional<TokenRecord> token, Store store) {
        TokenRecord t = token.orElseThrow(() -> new IllegalStateException("route without a token asked for a scope"));
        return store.read(tx -> of(t, tx.fleet()));
    }

    public boolean sees(String operator) {
        return operators.map(s -> s.contains(operator)).orElse(true);
    }

    /** Refuses with 404 (not 403: a scoped token must not learn which ids exist elsewhere). */
    public void requireSees(String operator, String what) {
        if (!sees(operator)) throw ApiException.notFound(what);
    }
}
