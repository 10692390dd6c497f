package io.assay.server.report;

import static java.util.Objects.requireNonNull;

import io.assay.server.api.ApiException;
import io.assay.server.fleet.FleetRoutes;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.FleetTables.Pledge;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/pledges/{id}/report?format=json|csv|pdf} (admin, operator of the pledge,
 * auditor): the compliance report, JSON by default. Before computing it the log is brought up to
 * date ({@code refreshLog}: integrate queued reports, sign a checkpoint), so the checkpoint it
 * names includes the reports it used.
 */
public final class ReportRoutes implements RouteModule {
    private final io.assay.server.store.Store store;
    private final ComplianceReports reports;
    private final Runnable refreshLog;

    public ReportRoutes(io.assay.server.store.Store store, ComplianceReports reports, Runnable refreshLog) {
        this.store = requireNonNull(store, "store");
        this.reports = requireNonNull(reports, "reports");
        this.refreshLog = requireNonNull(refreshLog, "refreshLog");
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.get("/api/v1/pledges/{id}/report", FleetRoutes.READERS, this::report));
    }

    private ApiResponse report(ApiRequest r) {
        ReportFormat format;
        try {
            format = ReportFormat.parse(r.queryParam("format").orElse("json"));
        } catch (IllegalArgumentException e) {
            throw ApiException.malformed(e.getMessage());
        }
        Pledge p = FleetRoutes.findVisible(store, r, r.pathParam("id"));
        refreshLog.run();
        // Computed while it is written: a 100,000-host report never sits whole in memory (JSON, CSV).
        return ApiResponse.stream(format.contentType(), Map.of("Content-Disposition",
                "attachment; filename=\"" + p.id() + "-report." + format.extension() + "\""),
                out -> format.write(reports, p, out));
    }
}
