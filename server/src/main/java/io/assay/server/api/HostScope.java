package io.assay.server.api;

import io.assay.server.fleet.Scope;
import io.assay.server.http.ApiRequest;
import io.assay.server.store.Store;

/**
 * The one check every {@code /api/v1/hosts/{id}...} and {@code /api/v1/reports/{host}/...} route
 * makes before reading anything of a host: the request's token must reach the host's operator
 * ({@link Scope}). A host outside the scope is refused exactly like a host that does not exist
 * (404, same detail), so a scoped token cannot probe which host ids another operator has.
 */
public final class HostScope {
    private HostScope() {}

    /** Refuses with 404 unless the request's token sees {@code hostId}'s operator (admin and unscoped auditors see all). */
    public static void requireVisible(ApiRequest request, Store store, String hostId) {
        Scope scope = Scope.of(request.token(), store);
        if (scope.operators().isEmpty()) return;
        boolean sees = store.read(tx -> tx.findHost(hostId).isPresent()
                && scope.sees(tx.fleet().membership(hostId).operator()));
        if (!sees) throw ApiException.notFound("no host " + hostId + " is enrolled");
    }
}
