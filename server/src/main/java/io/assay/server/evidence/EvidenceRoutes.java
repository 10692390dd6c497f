package io.assay.server.evidence;

import io.assay.server.api.ApiException;
import io.assay.server.api.HostScope;
import io.assay.server.coverage.HostCoverage;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.log.TransparencyLog;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/hosts/{id}/evidence?from=&to=&consistencyWith=S1,S2} (admin, auditor, operator; a host outside the token's scope is 404): the
 * evidence bundle, streamed. A checkpoint is signed first, so every report integrated by then is
 * proven. Refusals (unknown host, bad parameters) come before the first byte as problem JSON.
 */
public final class EvidenceRoutes implements RouteModule {
    private final Store store;
    private final TransparencyLog log;
    private final Clock clock;

    public EvidenceRoutes(Store store, TransparencyLog log, Clock clock) {
        this.store = store;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.get("/api/v1/hosts/{id}/evidence", Set.of(Role.AUDITOR, Role.ADMIN, Role.OPERATOR), this::evidence));
    }

    private ApiResponse evidence(ApiRequest r) {
        String host = r.pathParam("id");
        HostScope.requireVisible(r, store, host);
        HostCoverage.Period p = HostCoverage.period(r, store, clock, host);
        long from = p.fromMs();
        long to = p.toMs();
        List<Long> sizes = new ArrayList<>();
        for (String s : r.queryParam("consistencyWith").orElse("").split(",")) {
            if (s.isBlank()) continue;
            try {
                sizes.add(Long.parseLong(s.strip()));
            } catch (NumberFormatException e) {
                throw ApiException.malformed("consistencyWith \"" + s + "\" is not a tree size");
            }
        }
        EvidenceExport.Request request = new EvidenceExport.Request(host, from, to, sizes);
        log.checkpoint();
        try {
            EvidenceExport.check(store, request);
        } catch (EvidenceExport.ExportException e) {
            throw e.getMessage().startsWith("no host") ? ApiException.notFound(e.getMessage())
                    : ApiException.malformed(e.getMessage());
        }
        return ApiResponse.stream("application/json",
                Map.of("Content-Disposition", "attachment; filename=\"assay-evidence-" + host + ".json\""),
                out -> EvidenceExport.write(store, request, clock.instant(), out));
    }
}
