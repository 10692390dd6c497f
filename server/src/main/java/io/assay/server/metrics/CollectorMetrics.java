package io.assay.server.metrics;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.server.api.RequestObserver;
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
 *   <li>{@code assay_refusals_total{reason,status}}: problem answers sent since start, by their
 *       {@code type} (every refusal: a route's, the front's limits, the ingest gate, Jetty's own)
 *   <li>{@code assay_http_request_duration_seconds{method,route,status}}: time from a request's
 *       first byte to the end of its answer, for every request; {@code route} is the route
 *       table's pattern, never the raw path ({@link RequestObserver} names the rest)
 * </ul>
 *
 * A registry per collector (not the JVM-global default), so two collectors in one JVM (tests)
 * do not mix. Thread-safe.
 */
public final class CollectorMetrics implements IngestListener, RouteModule, RequestObserver {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter stored;
    private final Counter refusals;
    private final Histogram latency;
    private final boolean open;

    /** Metrics that need an admin, auditor or operator token to read. */
    public CollectorMetrics(Store store) {
        this(store, false);
    }

    /**
     * @param open {@code GET /metrics} answers without a token (config {@code metrics.open}): for a
     *     scraper on a trusted network; the figures name no host, only counts
     */
    public CollectorMetrics(Store store, boolean open) {
        requireNonNull(store, "store");
        this.open = open;
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
        refusals = Counter.builder().name("assay_refusals_total")
                .help("Problem answers sent since the collector started, by problem type (reason) and status")
                .labelNames("reason", "status").register(registry);
        latency = Histogram.builder().name("assay_http_request_duration_seconds")
                .help("Time from a request's first byte to the end of its answer, by route pattern")
                .labelNames("method", "route", "status").classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    }

    @Override
    public void answered(String method, String route, int status, long nanos) {
        latency.labelValues(method, route, Integer.toString(status)).observe(nanos / 1e9);
    }

    @Override
    public void refused(String type, int status) {
        refusals.labelValues(type, Integer.toString(status)).inc();
    }

    @Override
    public void stored(Store.Tx tx, String hostId, Report report, Instant receivedAt, String sourceAddress) {
        // Counted when stored in the transaction; a later rollback (rare: the database failed) overcounts by that batch.
        stored.labelValues(report.verdict().name()).inc();
    }

    /**
     * {@code GET /metrics}: with admin, auditor or operator tokens (Prometheus sends one with
     * {@code authorization}), or with none at all when the collector runs with {@code metrics.open}.
     */
    @Override
    public List<Route> routes() {
        Set<Role> roles = open ? Set.of() : Set.of(Role.ADMIN, Role.AUDITOR, Role.OPERATOR);
        return List.of(Route.get("/metrics", roles, r -> {
            var snapshots = registry.scrape();
            PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
            return ApiResponse.stream(writer.getContentType(), Map.of(), out -> writer.write(out, snapshots));
        }));
    }
}
