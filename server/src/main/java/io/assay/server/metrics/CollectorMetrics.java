package io.assay.server.metrics;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.server.api.ApiException;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.ingest.IngestListener;
import io.assay.server.store.AlertTables.Alert;
import io.assay.server.store.HostRecord;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The collector's metrics, each named with its unit:
 *
 * <ul>
 *   <li>{@code assay_hosts{verdict}}: hosts by their last verdict ({@code none} before the first report), read at scrape
 *   <li>{@code assay_reports_stored_total{verdict}}: reports stored since start (rate() = ingest rate)
 *   <li>{@code assay_log_leaves}: transparency log size, read at scrape
 *   <li>{@code assay_alerts_open{kind}}: unacknowledged alerts, read at scrape
 *   <li>{@code assay_route_duration_seconds{method,route,status}}: latency of the route-table routes
 * </ul>
 *
 * A registry per collector (not the JVM-global default), so two collectors in one JVM (tests)
 * do not mix. Thread-safe.
 */
public final class CollectorMetrics implements IngestListener, RouteModule {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter stored;
    private final Histogram latency;

    public CollectorMetrics(Store store) {
        requireNonNull(store, "store");
        GaugeWithCallback.builder().name("assay_hosts").help("Enrolled hosts by their last verdict")
                .labelNames("verdict").callback(cb -> {
                    Map<Verdict, Integer> by = new EnumMap<>(Verdict.class);
                    int none = 0;
                    for (HostRecord h : store.read(Store.ReadTx::listHosts)) {
                        if (h.lastVerdict().isPresent()) by.merge(h.lastVerdict().get(), 1, Integer::sum);
                        else none++;
                    }
                    for (Verdict v : Verdict.values()) cb.call(by.getOrDefault(v, 0), v.name());
                    cb.call(none, "none");
                }).register(registry);
        GaugeWithCallback.builder().name("assay_log_leaves").help("Leaves in the transparency log")
                .callback(cb -> cb.call(store.read(tx -> tx.log().size()))).register(registry);
        GaugeWithCallback.builder().name("assay_alerts_open").help("Unacknowledged alerts").labelNames("kind")
                .callback(cb -> {
                    Map<String, Integer> by = new java.util.TreeMap<>();
                    for (var k : io.assay.server.store.AlertTables.Kind.values()) by.put(k.wireName(), 0);
                    for (Alert a : store.read(tx -> tx.alerts().listAlerts())) {
                        if (a.ackedAt().isEmpty()) by.merge(a.kind().wireName(), 1, Integer::sum);
                    }
                    by.forEach((k, n) -> cb.call(n, k));
                }).register(registry);
        stored = Counter.builder().name("assay_reports_stored_total").help("Reports stored since the collector started")
                .labelNames("verdict").register(registry);
        latency = Histogram.builder().name("assay_route_duration_seconds")
                .help("Time to answer a route-table route (handler time, not counting the body transfer)")
                .labelNames("method", "route", "status").classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    }

    @Override
    public void stored(Store.Tx tx, String hostId, Report report, Instant receivedAt, String sourceAddress) {
        // Counted when stored in the transaction; a later rollback (rare: the database failed) overcounts by that batch.
        stored.labelValues(report.verdict().name()).inc();
    }

    /** {@code GET /metrics} (admin, auditor, operator tokens; Prometheus sends one with {@code authorization}). */
    @Override
    public List<Route> routes() {
        return List.of(Route.get("/metrics", Set.of(Role.ADMIN, Role.AUDITOR, Role.OPERATOR), r -> {
            var snapshots = registry.scrape();
            PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
            return ApiResponse.stream(writer.getContentType(), Map.of(), out -> writer.write(out, snapshots));
        }));
    }

    /** The same modules with every handler timed into {@code assay_route_duration_seconds}. */
    public List<RouteModule> instrument(List<RouteModule> modules) {
        List<RouteModule> out = new ArrayList<>();
        for (RouteModule m : modules) {
            List<Route> timed = m.routes().stream().map(this::timed).toList();
            out.add(() -> timed);
        }
        return List.copyOf(out);
    }

    private Route timed(Route r) {
        return new Route(r.method(), r.pattern(), r.roles(), request -> {
            long start = System.nanoTime();
            int status = 500;
            try {
                ApiResponse response = r.handler().handle(request);
                status = response.status();
                return response;
            } catch (ApiException e) {
                status = e.problem().status();
                throw e;
            } finally {
                latency.labelValues(r.method(), r.pattern(), Integer.toString(status))
                        .observe((System.nanoTime() - start) / 1e9);
            }
        });
    }
}
