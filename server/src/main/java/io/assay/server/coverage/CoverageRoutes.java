package io.assay.server.coverage;

import io.assay.server.api.ApiException;
import io.assay.server.api.HostScope;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/hosts/{id}/coverage?from=&to=} (admin, auditor, operator; a host outside the token's scope is 404): covered seconds, seconds
 * per verdict, covered intervals and gaps with reasons. {@code from} defaults to the host's
 * enrollment, {@code to} to now. {@code GET /api/v1/hosts/{id}/history?from=&to=}: the same plus
 * day-by-day figures and finding runs ({@link HostHistory}).
 */
public final class CoverageRoutes implements RouteModule {
    private final Store store;
    private final Clock clock;

    public CoverageRoutes(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.get("/api/v1/hosts/{id}/coverage", Set.of(Role.AUDITOR, Role.ADMIN, Role.OPERATOR), this::coverage),
                Route.get("/api/v1/hosts/{id}/history", Set.of(Role.AUDITOR, Role.ADMIN, Role.OPERATOR), this::history));
    }

    private ApiResponse coverage(ApiRequest r) {
        String host = r.pathParam("id");
        HostScope.requireVisible(r, store, host);
        HostCoverage.Period p = HostCoverage.period(r, store, clock, host);
        var c = HostCoverage.of(store, host, p.fromMs(), p.toMs())
                .orElseThrow(() -> ApiException.notFound("no host " + host + " is enrolled"));
        return ApiResponse.json(HostCoverage.toJson(host, c).toString().getBytes(StandardCharsets.UTF_8));
    }

    private ApiResponse history(ApiRequest r) {
        String host = r.pathParam("id");
        HostScope.requireVisible(r, store, host);
        HostCoverage.Period p = HostCoverage.period(r, store, clock, host);
        var h = HostHistory.of(store, host, p.fromMs(), p.toMs())
                .orElseThrow(() -> ApiException.notFound("no host " + host + " is enrolled"));
        return ApiResponse.json(HostHistory.toJson(h).toString().getBytes(StandardCharsets.UTF_8));
    }
}
