package io.assay.server;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import io.assay.server.api.HttpApi;
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
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running collector: the database, the HTTP server on its own thread pool, and the services
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
    /** Requests queued beyond the busy handler threads; past this the connection is dropped. */
    private static final int HTTP_QUEUE = 1024;

    private final ServerConfig config;
    private final Clock clock;
    private final Store store;
    private final Tokens tokens;
    private final HttpApi api;
    private final HttpServer http;
    private final ThreadPoolExecutor executor;
    private final URI url;
    private final TransparencyLog transparencyLog;
    /** Set once in {@link #start} before the collector is handed out (kept out of the constructor to merge cleanly). */
    private io.assay.server.alerts.AlertDispatcher alertDispatcher;
    /** The route table's modules as dispatched, set once in {@link #start}. */
    private List<RouteModule> modules = List.of();
    private boolean closed;

    private Collector(ServerConfig config, Clock clock, Store store, Tokens tokens, HttpApi api, HttpServer http,
            ThreadPoolExecutor executor, TransparencyLog transparencyLog) {
        this.transparencyLog = transparencyLog;
        this.config = config;
        this.clock = clock;
        this.store = store;
        this.tokens = tokens;
        this.api = api;
        this.http = http;
        this.executor = executor;
        InetSocketAddress bound = http.getAddress();
        String host = bound.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        this.url = URI.create("http://" + host + ":" + bound.getPort());
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
        HttpServer http = HttpServer.create(config.listen(), 0);
        Store store;
        try {
            store = config.database().open(config.dbBusyTimeout(), config.dbReaders());
        } catch (RuntimeException e) {
            http.stop(0);
            throw e;
        }
        ThreadPoolExecutor executor = null;
        TransparencyLog transparencyLog = null;
        io.assay.server.alerts.AlertDispatcher alertDispatcher = null;
        try {
            Tokens tokens = new Tokens(random);
            transparencyLog = openLog(config, store, clock);
            // Feature route modules (log, coverage, pledges, ...) are added to this list, one line each.
            List<RouteModule> modules = List.of(new LogRoutes(transparencyLog), new CoverageRoutes(store, clock),
                    new EvidenceRoutes(store, transparencyLog, clock));
            io.assay.server.alerts.Alerts alerts = new io.assay.server.alerts.Alerts(random);
            alertDispatcher = new io.assay.server.alerts.AlertDispatcher(store, alerts, clock,
                    io.assay.server.alerts.AlertDispatcher.DEFAULT_UNATTESTED_BOUND);
            modules = appendModules(modules, new io.assay.server.alerts.AlertRoutes(store, clock, random));
            io.assay.server.metrics.CollectorMetrics metrics = new io.assay.server.metrics.CollectorMetrics(store);
            TransparencyLog logForReports = transparencyLog;
            modules = appendModules(modules, new io.assay.server.fleet.FleetRoutes(store,
                    new io.assay.server.fleet.Pledges(store, clock, random)));
            modules = appendModules(modules, new io.assay.server.report.ReportRoutes(store,
                    new io.assay.server.report.ComplianceReports(store, new io.assay.server.report.StoreCoverage(store), clock),
                    () -> { logForReports.integrate(); logForReports.checkpoint(); }));
            modules = appendModules(modules, new io.assay.server.ipcheck.IpCheckRoutes(store, new io.assay.server.ipcheck.IpChecks(
                    store, new io.assay.server.report.ComplianceReports(store, new io.assay.server.report.StoreCoverage(store),
                    clock))));
            modules = appendModules(modules, metrics);
            modules = appendModules(modules, new io.assay.server.metrics.OpenApiRoutes(modules));
            io.assay.server.report.ComplianceReports dashboardReports = new io.assay.server.report.ComplianceReports(store,
                    new io.assay.server.report.StoreCoverage(store), clock);
            modules = appendModules(modules, new io.assay.server.dashboard.DashboardRoutes(store, dashboardReports,
                    new io.assay.server.ipcheck.IpChecks(store, dashboardReports), clock));
            modules = metrics.instrument(modules);
            HttpApi api = new HttpApi(store, new Enrollment(store, tokens, random, clock), new Ingestor(store, clock, ingestListener(alerts, metrics)),
                    new ReportVerification(store), config.maxBodyBytes(), config.maxIngestInFlight(), random, modules);
            executor = new ThreadPoolExecutor(config.httpThreads(), config.httpThreads(), 0, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(HTTP_QUEUE), namedThreads("assay-http-"));
            http.setExecutor(executor);
            http.createContext("/", api);
            http.start();
            transparencyLog.startBackground();
            Collector collector = new Collector(config, clock, store, tokens, api, http, executor, transparencyLog);
            collector.alertDispatcher = alertDispatcher;
            collector.modules = modules;
            alertDispatcher.start();
            log.info("Collector listening on {} (database: {})", collector.url, config.database().describe());
            return collector;
        } catch (RuntimeException e) {
            http.stop(0);
            if (executor != null) executor.shutdownNow();
            if (transparencyLog != null) transparencyLog.close();
            if (alertDispatcher != null) alertDispatcher.close();
            store.close();
            throw e;
        }
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

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(false);
            return t;
        };
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8440}; with port 0 in the config, the port actually bound. */
    public URI url() {
        return url;
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
        api.beginShutdown();
        try {
            if (!api.awaitIdle(config.shutdownGrace())) {
                log.warn("Collector on {}: requests still running after {}; stopping anyway", url, config.shutdownGrace());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.stop(0);
        transparencyLog.close();
        alertDispatcher.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        store.close();
        log.info("Collector on {} stopped", url);
    }
}
