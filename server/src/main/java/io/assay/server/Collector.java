package io.assay.server;

import static java.util.Objects.requireNonNull;

import io.assay.server.api.HttpFront;
import io.assay.server.api.IngestRoutes;
import io.assay.server.api.QueryRoutes;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.server.coverage.CoverageRoutes;
import io.assay.server.evidence.EvidenceRoutes;
import io.assay.server.http.RouteModule;
import io.assay.server.log.LogKeyFile;
import io.assay.server.log.LogRoutes;
import io.assay.server.log.TransparencyLog;
import java.nio.file.Path;
import java.util.List;
import io.assay.server.auth.Tokens;
import io.assay.server.ingest.Enrollment;
import io.assay.server.ingest.Ingestor;
import io.assay.server.ingest.ReportVerification;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running collector: the database, the HTTP front (Jetty) on its own thread pool, and the services
 * between them. Start one with {@link #start}, stop it with {@link #close} (idempotent).
 *
 * <pre>{@code
 * try (Collector c = Collector.start(ServerConfig.builder().db(file).build(), Clock.systemUTC())) {
 *     String token = c.issueToken(Role.ENROLL, "rack 12");
 *     ... c.url() ...
 * }
 * }</pre>
 */
public final class Collector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Collector.class);

    private final ServerConfig config;
    private final Clock clock;
    private final Store store;
    private final Tokens tokens;
    private final HttpFront http;
    private final TransparencyLog transparencyLog;
    /** Set once in {@link #start} before the collector is handed out (kept out of the constructor to merge cleanly). */
    private io.assay.server.alerts.AlertDispatcher alertDispatcher;
    /** The route table's modules as dispatched, set once in {@link #start}. */
    private List<RouteModule> modules = List.of();
    private boolean closed;

    private Collector(ServerConfig config, Clock clock, Store store, Tokens tokens, HttpFront http,
            TransparencyLog transparencyLog) {
        this.transparencyLog = transparencyLog;
        this.config = config;
        this.clock = clock;
        this.store = store;
        this.tokens = tokens;
        this.http = http;
    }

    /**
     * Opens the database (creating or migrating it), binds the listen address and starts serving.
     *
     * @throws IOException the address cannot be bound (e.g. {@link java.net.BindException}: port in use)
     * @throws io.assay.server.store.StoreException the database cannot be opened
     */
    public static Collector start(ServerConfig config, Clock clock) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        SecureRandom random = new SecureRandom();
        // Bind first: a port in use must not leave a fresh database file behind.
        HttpFront http = HttpFront.bind(frontSettings(config));
        Store store;
        try {
            store = config.database().open(config.dbBusyTimeout(), config.dbReaders());
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
        TransparencyLog transparencyLog = null;
        io.assay.server.alerts.AlertDispatcher alertDispatcher = null;
        try {
            Tokens tokens = new Tokens(random);
            ReportVerification verification = new ReportVerification(store);
            transparencyLog = openLog(config, store, clock);
            // Feature route modules (log, coverage, pledges, ...) are added to this list, one line each.
            List<RouteModule> modules = List.of(new LogRoutes(transparencyLog), new CoverageRoutes(store, clock),
                    new EvidenceRoutes(store, transparencyLog, clock));
            io.assay.server.alerts.Alerts alerts = new io.assay.server.alerts.Alerts(random);
            alertDispatcher = new io.assay.server.alerts.AlertDispatcher(store, alerts, clock,
                    io.assay.server.alerts.AlertDispatcher.DEFAULT_UNATTESTED_BOUND);
            modules = appendModules(modules, new io.assay.server.alerts.AlertRoutes(store, clock, random));
            io.assay.server.metrics.CollectorMetrics metrics = new io.assay.server.metrics.CollectorMetrics(store,
                    config.metricsOpen());
            TransparencyLog logForReports = transparencyLog;
            modules = appendModules(modules, new io.assay.server.fleet.FleetRoutes(store,
                    new io.assay.server.fleet.Pledges(store, clock, random)));
            modules = appendModules(modules, new io.assay.server.report.ReportRoutes(store,
                    new io.assay.server.report.ComplianceReports(store, clock),
                    () -> { logForReports.integrate(); logForReports.checkpoint(); }));
            modules = appendModules(modules, new io.assay.server.ipcheck.IpCheckRoutes(store, new io.assay.server.ipcheck.IpChecks(
                    store, new io.assay.server.report.ComplianceReports(store, clock))));
            modules = appendModules(modules, metrics);
            io.assay.server.report.ComplianceReports dashboardReports = new io.assay.server.report.ComplianceReports(store,
                    clock);
            modules = appendModules(modules, new io.assay.server.dashboard.DashboardRoutes(store, dashboardReports,
                    new io.assay.server.ipcheck.IpChecks(store, dashboardReports), clock));
            List<RouteModule> all = new java.util.ArrayList<>(List.of(
                    new IngestRoutes(new Enrollment(store, tokens, random, clock),
                            new Ingestor(store, clock, ingestListener(alerts, metrics)), config.maxIngestInFlight(), random),
                    new QueryRoutes(store, verification)));
            all.addAll(modules);
            all.add(new io.assay.server.metrics.OpenApiRoutes(all));
            modules = List.copyOf(all);
            http.start(store, modules, metrics);
            transparencyLog.startBackground();
            Collector collector = new Collector(config, clock, store, tokens, http, transparencyLog);
            collector.alertDispatcher = alertDispatcher;
            collector.modules = modules;
            alertDispatcher.start();
            log.info("Collector listening on {} (database: {})", collector.url(), config.database().describe());
            return collector;
        } catch (IOException | RuntimeException e) {
            http.close();
            if (transparencyLog != null) transparencyLog.close();
            if (alertDispatcher != null) alertDispatcher.close();
            store.close();
            throw e;
        }
    }

    private static HttpFront.Settings frontSettings(ServerConfig c) {
        return new HttpFront.Settings(c.listen(), c.httpThreads(), c.maxBodyBytes(), c.idleTimeout(), c.bodyTimeout(),
                c.maxHeaderBytes(), c.maxConnections(), c.maxAcceptsPerSecond(), c.tls());
    }

    /**
     * Loads (or creates, mode 0600) the log key, checks the stored log against the last signed
     * checkpoint, and signs one for the current size so there always is one to serve.
     */
    private static TransparencyLog openLog(ServerConfig config, Store store, Clock clock) {
        Path keyFile = config.log().keyFile().orElseGet(() -> config.database() instanceof DatabaseConfig.Sqlite s
                ? s.file().resolveSibling(s.file().getFileName() + ".log-key") : Path.of("assay-log.key"));
        NoteSigner key = LogKeyFile.loadOrCreate(keyFile, config.log().origin().orElseGet(Collector::defaultOrigin),
                NoteVerifierKey.ED25519);
        TransparencyLog log = TransparencyLog.open(store, key, clock, config.log());
        log.checkpoint();
        return log;
    }

    private static String defaultOrigin() {
        try {
            return "assay/" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "assay/collector";
        }
    }

    /** Every route of the route table (not HttpApi's built-in ones), as dispatched. */
    public List<io.assay.server.http.Route> routes() {
        return modules.stream().flatMap(m -> m.routes().stream()).toList();
    }

    /** The transparency log: sign a checkpoint now, read proofs (tools and tests). */
    public TransparencyLog transparencyLog() {
        return transparencyLog;
    }

    /** What is told of each stored report: the address book and the alerts (issue 9). */
    private static io.assay.server.ingest.IngestListener ingestListener(io.assay.server.alerts.Alerts alerts,
            io.assay.server.metrics.CollectorMetrics metrics) {
        return io.assay.server.ingest.IngestListener.all(List.of(new io.assay.server.ipcheck.AddressBook(), alerts,
                metrics));
    }

    private static List<RouteModule> appendModules(List<RouteModule> modules, RouteModule more) {
        List<RouteModule> all = new java.util.ArrayList<>(modules);
        all.add(more);
        return List.copyOf(all);
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8440}; with port 0 in the config, the port actually bound. */
    public URI url() {
        return http.url();
    }

    public ServerConfig config() {
        return config;
    }

    /** The collector's clock (tests sign enrollment requests at its time). */
    public Clock clock() {
        return clock;
    }

    /**
     * The collector's store, for tools and tests that look at what was stored. Writes through it
     * bypass every check the API makes.
     */
    public Store store() {
        return store;
    }

    /** Creates a token of {@code role} (not {@link Role#HOST}: those come from enrollment) and returns it. */
    public String issueToken(Role role, String note) {
        if (role == Role.HOST) throw new IllegalArgumentException("host tokens are issued by enrollment only");
        return store.inTransaction(tx -> tokens.issue(tx, role, Optional.empty(), note, clock.instant()));
    }

    /** Creates a token of {@code role} limited to {@code scope} (operators it sees, groups it gives enrolled hosts). */
    public String issueToken(Role role, String note, io.assay.server.store.FleetTables.TokenScope scope) {
        if (role == Role.HOST) throw new IllegalArgumentException("host tokens are issued by enrollment only");
        return store.inTransaction(tx -> {
            String token = tokens.issue(tx, role, Optional.empty(), note, clock.instant());
            tx.fleet().putScope(Tokens.hash(token), scope);
            return token;
        });
    }

    /**
     * Stops taking requests, lets those in progress finish (up to the configured grace), then
     * stops the HTTP server, its threads and the database. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        http.beginShutdown();
        try {
            if (!http.awaitIdle(config.shutdownGrace())) {
                log.warn("Collector on {}: requests still running after {}; stopping anyway", url(), config.shutdownGrace());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        transparencyLog.close();
        alertDispatcher.close();
        store.close();
        log.info("Collector on {} stopped", url());
    }
}
