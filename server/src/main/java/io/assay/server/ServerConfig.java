package io.assay.server;

import static java.util.Objects.requireNonNull;

import io.assay.server.log.LogConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
 * @param log the transparency log: key file, intervals, witnesses; see {@link LogConfig}
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
        LogConfig log) {

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
        requireNonNull(log, "log");
        problems.addAll(log.problems());
        if (!problems.isEmpty()) throw new ConfigException(problems);
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
        private LogConfig log = LogConfig.defaults();

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

        public Builder log(LogConfig log) {
            this.log = log;
            return this;
        }

        /** The transparency log's key file (created at first start if missing). */
        public Builder logKey(Path keyFile) {
            this.log = log.withKeyFile(keyFile);
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(listen, database, httpThreads, maxBodyBytes, maxIngestInFlight, dbReaders,
                    dbBusyTimeout, shutdownGrace, log);
        }
    }
}
