package io.assay.server;

import static java.util.Objects.requireNonNull;

import io.assay.server.log.LogConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.assay.server.tls.TlsConfig;

/**
 * Everything the collector needs to start. Built once, validated as a whole (all problems are
 * reported together), then passed down by constructor.
 *
 * @param listen address to listen on; default {@code 127.0.0.1:8440}; port 0 picks a free port
 * @param database the SQLite file (default {@code assay.db}, created if missing) or a PostgreSQL
 *     database; see {@link DatabaseConfig}
 * @param httpThreads request handler threads ({@code assay-http-N}); default 16, range 1..256
 * @param maxBodyBytes largest request body accepted, in bytes; larger ones get 413; default 4 MiB,
 *     range 1 KiB..256 MiB
 * @param maxIngestInFlight report uploads processed at once; more get 429 with a jittered
 *     Retry-After, which spreads out a fleet reconnecting after an outage; default 8, range 1..1024
 * @param dbReaders reader connections to a SQLite database; default 4, range 1..64 (PostgreSQL has
 *     its own pool size in {@link DatabaseConfig.Postgres})
 * @param dbBusyTimeout how long a database call waits for a lock or a connection; default 5s,
 *     range 1ms..5m
 * @param shutdownGrace how long closing waits for requests in progress; default 10s, range 0..5m
 * @param idleTimeout a connection that sends nothing for this long is closed (also bounds the gap
 *     between bytes of a request's header); default 20s, range 1s..10m
 * @param bodyTimeout a request body must arrive completely within this; default 30s (4 MiB at
 *     about 1 Mbit/s), range 1s..10m
 * @param maxHeaderBytes largest request line plus headers; larger get 431; default 8 KiB, range
 *     1 KiB..64 KiB
 * @param maxConnections open connections at most; past it new ones wait in the kernel's backlog
 *     and the open ones' idle time-out drops to 2 s; default 4096, range 16..65536
 * @param maxAcceptsPerSecond new connections accepted per second at most; default 500, range
 *     1..100000
 * @param tls serve HTTPS (HTTP/2 and HTTP/1.1) with this certificate and key; empty: plain HTTP
 * @param allowPlainHttp plain HTTP on an address other than loopback (behind a TLS-terminating
 *     proxy); default false, because the upload tokens would cross the network in clear
 * @param log the transparency log: key file, intervals, witnesses; see {@link LogConfig}
 * @param metricsOpen {@code metrics.open}: {@code GET /metrics} answers without a token (a
 *     scraper on a trusted network); default false (an admin, auditor or operator token is needed)
 */
public record ServerConfig(
        InetSocketAddress listen,
        DatabaseConfig database,
        int httpThreads,
        long maxBodyBytes,
        int maxIngestInFlight,
        int dbReaders,
        Duration dbBusyTimeout,
        Duration shutdownGrace,
        Duration idleTimeout,
        Duration bodyTimeout,
        int maxHeaderBytes,
        int maxConnections,
        int maxAcceptsPerSecond,
        Optional<TlsConfig> tls,
        boolean allowPlainHttp,
        LogConfig log,
        boolean metricsOpen) {

    public static final int DEFAULT_PORT = 8440;
    public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;

    public ServerConfig {
        requireNonNull(listen, "listen");
        requireNonNull(database, "database");
        requireNonNull(dbBusyTimeout, "dbBusyTimeout");
        requireNonNull(shutdownGrace, "shutdownGrace");
        List<String> problems = new ArrayList<>(database.problems());
        range(problems, "http.threads", httpThreads, 1, 256);
        range(problems, "http.max-body-bytes", maxBodyBytes, 1024, 256L * 1024 * 1024);
        range(problems, "ingest.max-in-flight", maxIngestInFlight, 1, 1024);
        range(problems, "db.readers", dbReaders, 1, 64);
        if (dbBusyTimeout.isNegative() || dbBusyTimeout.isZero() || dbBusyTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            problems.add("db.busy-timeout is " + dbBusyTimeout + "; it must be between 1ms and 5m.");
        }
        if (shutdownGrace.isNegative() || shutdownGrace.compareTo(Duration.ofMinutes(5)) > 0) {
            problems.add("http.shutdown-grace is " + shutdownGrace + "; it must be between 0s and 5m.");
        }
        duration(problems, "http.idle-timeout", requireNonNull(idleTimeout, "idleTimeout"));
        duration(problems, "http.body-timeout", requireNonNull(bodyTimeout, "bodyTimeout"));
        range(problems, "http.max-header-bytes", maxHeaderBytes, 1024, 64 * 1024);
        range(problems, "http.max-connections", maxConnections, 16, 65536);
        range(problems, "http.max-accepts-per-second", maxAcceptsPerSecond, 1, 100_000);
        requireNonNull(tls, "tls");
        if (tls.isEmpty() && !allowPlainHttp && !isLoopback(listen)) {
            problems.add("listen address " + listen.getHostString() + ":" + listen.getPort() + " is not loopback, and"
                    + " plain HTTP would send the hosts' upload tokens in clear. Pass --tls-cert and --tls-key (make"
                    + " them with 'assay-server tls init'), or --allow-plain-http behind a TLS-terminating proxy.");
        }
        requireNonNull(log, "log");
        problems.addAll(log.problems());
        if (!problems.isEmpty()) throw new ConfigException(problems);
    }

    private static boolean isLoopback(InetSocketAddress a) {
        return a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }

    private static void duration(List<String> problems, String key, Duration d) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
            problems.add(key + " is " + d + "; it must be between 1s and 10m.");
        }
    }

    private static void range(List<String> problems, String key, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(key + " is " + value + "; it must be between " + min + " and " + max + ".");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6 literals). The host is not resolved
     * here beyond what {@link InetSocketAddress} does.
     *
     * @throws ConfigException the text is not HOST:PORT with a port in 0..65535
     */
    public static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        String port = colon > 0 ? text.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (host.isEmpty() || p < 0 || p > 65535) {
            throw new ConfigException(List.of("listen address \"" + text + "\" is not HOST:PORT with a port in 0..65535;"
                    + " write it like 127.0.0.1:" + DEFAULT_PORT + " or 0.0.0.0:" + DEFAULT_PORT + "."));
        }
        return new InetSocketAddress(host, p);
    }

    /** Builds a config from the defaults; used by the CLI and by tests. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
        private DatabaseConfig database = new DatabaseConfig.Sqlite(Path.of("assay.db"));
        private int httpThreads = 16;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxIngestInFlight = 8;
        private int dbReaders = 4;
        private Duration dbBusyTimeout = Duration.ofSeconds(5);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(20);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private int maxHeaderBytes = 8 * 1024;
        private int maxConnections = 4096;
        private int maxAcceptsPerSecond = 500;
        private Optional<TlsConfig> tls = Optional.empty();
        private boolean allowPlainHttp;
        private LogConfig log = LogConfig.defaults();
        private boolean metricsOpen;

        private Builder() {}

        public Builder listen(InetSocketAddress listen) {
            this.listen = listen;
            return this;
        }

        /** A SQLite database file. */
        public Builder db(Path db) {
            this.database = new DatabaseConfig.Sqlite(db);
            return this;
        }

        /** A PostgreSQL database with the default pool size. */
        public Builder postgres(String url, String user, String password) {
            return database(new DatabaseConfig.Postgres(url, user, password, DatabaseConfig.Postgres.DEFAULT_POOL_SIZE));
        }

        public Builder database(DatabaseConfig database) {
            this.database = database;
            return this;
        }

        public Builder httpThreads(int httpThreads) {
            this.httpThreads = httpThreads;
            return this;
        }

        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder maxIngestInFlight(int maxIngestInFlight) {
            this.maxIngestInFlight = maxIngestInFlight;
            return this;
        }

        public Builder dbReaders(int dbReaders) {
            this.dbReaders = dbReaders;
            return this;
        }

        public Builder dbBusyTimeout(Duration dbBusyTimeout) {
            this.dbBusyTimeout = dbBusyTimeout;
            return this;
        }

        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = shutdownGrace;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder bodyTimeout(Duration bodyTimeout) {
            this.bodyTimeout = bodyTimeout;
            return this;
        }

        public Builder maxHeaderBytes(int maxHeaderBytes) {
            this.maxHeaderBytes = maxHeaderBytes;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder maxAcceptsPerSecond(int maxAcceptsPerSecond) {
            this.maxAcceptsPerSecond = maxAcceptsPerSecond;
            return this;
        }

        public Builder tls(TlsConfig tls) {
            this.tls = Optional.of(tls);
            return this;
        }

        public Builder allowPlainHttp(boolean allowPlainHttp) {
            this.allowPlainHttp = allowPlainHttp;
            return this;
        }

        public Builder log(LogConfig log) {
            this.log = log;
            return this;
        }

        /** The transparency log's key file (created at first start if missing). */
        public Builder logKey(Path keyFile) {
            this.log = log.withKeyFile(keyFile);
            return this;
        }

        /** {@code metrics.open}: serve {@code /metrics} without a token. */
        public Builder metricsOpen(boolean metricsOpen) {
            this.metricsOpen = metricsOpen;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(listen, database, httpThreads, maxBodyBytes, maxIngestInFlight, dbReaders,
                    dbBusyTimeout, shutdownGrace, idleTimeout, bodyTimeout, maxHeaderBytes, maxConnections,
                    maxAcceptsPerSecond, tls, allowPlainHttp, log, metricsOpen);
        }
    }
}
