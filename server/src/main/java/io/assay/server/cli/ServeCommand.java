package io.assay.server.cli;

import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.log.LogConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import io.assay.server.tls.TlsConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server serve}: runs the collector until SIGTERM/SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the collector until stopped (SIGTERM or Ctrl-C stop it cleanly).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8440",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @CommandLine.Mixin
    DatabaseOptions database;

    @CommandLine.ParentCommand
    ServerMain main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "4194304",
            description = "Largest request body accepted; larger get 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--max-ingest-in-flight", paramLabel = "N", defaultValue = "8",
            description = "Report uploads processed at once; more get 429 busy (default: ${DEFAULT-VALUE}).")
    int maxIngestInFlight;

    @Option(names = "--http-threads", paramLabel = "N", defaultValue = "16",
            description = "HTTP handler threads (default: ${DEFAULT-VALUE}).")
    int httpThreads;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Close a connection that sends nothing for this long; also bounds the gaps in a request's"
                    + " header (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--body-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "A request body must arrive completely within this, else 408 (default: ${DEFAULT-VALUE}).")
    Duration bodyTimeout;

    @Option(names = "--max-header-bytes", paramLabel = "BYTES", defaultValue = "8192",
            description = "Largest request line plus headers; larger get 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderBytes;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "4096",
            description = "Open connections at most; past it new ones wait and idle ones are closed after 2 s"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-accepts-per-second", paramLabel = "N", defaultValue = "500",
            description = "New connections accepted per second at most (default: ${DEFAULT-VALUE}).")
    int maxAcceptsPerSecond;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM"
            + " certificate (followed by its CA chain); renewed files are picked up without a restart.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert (mode 0600).")
    Path tlsKey;

    @Option(names = "--allow-plain-http", description = "Serve plain HTTP on an address other than loopback (only behind"
            + " a TLS-terminating proxy: upload tokens would otherwise cross the network in clear).")
    boolean allowPlainHttp;

    @Option(names = "--metrics-open", description = "Serve /metrics without a token (config metrics.open; default:"
            + " an admin, auditor or operator token is needed). For a Prometheus scraper on a trusted network.")
    boolean metricsOpen;

    @Option(names = "--log-key", paramLabel = "FILE",
            description = "The transparency log's key file, created (mode 0600) at first start (default: the SQLite"
                    + " file's name + .log-key; assay-log.key with PostgreSQL). Collectors sharing one database share it.")
    Path logKey;

    @Option(names = "--log-origin", paramLabel = "NAME",
            description = "The log's name when the key file is created (default: assay/<hostname>).")
    String logOrigin;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "60",
            description = "Sign a checkpoint this often when the log grew (default: ${DEFAULT-VALUE}).")
    long checkpointSeconds;

    @Option(names = "--witness", paramLabel = "URL=VKEY",
            description = "A witness to submit each checkpoint to: its URL and cosignature verifier key (repeatable).")
    List<String> witnesses = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together; pass both.");
        }
        LogConfig log = LogConfig.defaults().withIntervals(Duration.ofSeconds(1), Duration.ofSeconds(checkpointSeconds));
        if (logKey != null) log = log.withKeyFile(logKey);
        if (logOrigin != null) log = log.withOrigin(logOrigin);
        List<LogConfig.Witness> ws = new ArrayList<>();
        for (String w : witnesses) {
            try {
                ws.add(LogConfig.Witness.parse(w));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--witness " + w + ": " + e.getMessage());
            }
        }
        log = log.withWitnesses(ws);
        ServerConfig.Builder builder = ServerConfig.builder()
                .log(log)
                .listen(ServerConfig.parseListen(listen))
                .database(database.resolve(main.env()))
                .maxBodyBytes(maxBodyBytes)
                .maxIngestInFlight(maxIngestInFlight)
                .httpThreads(httpThreads)
                .idleTimeout(idleTimeout)
                .bodyTimeout(bodyTimeout)
                .maxHeaderBytes(maxHeaderBytes)
                .maxConnections(maxConnections)
                .maxAcceptsPerSecond(maxAcceptsPerSecond)
                .allowPlainHttp(allowPlainHttp)
                .metricsOpen(metricsOpen);
        if (tlsCert != null) builder.tls(new TlsConfig(tlsCert, tlsKey));
        ServerConfig config = builder.build();
        Collector collector;
        try {
            collector = Collector.start(config, Clock.systemUTC());
        } catch (BindException e) {
            throw new CliException("Cannot listen on " + listen + ": " + e.getMessage()
                    + ". Another process probably uses this port; stop it or pass another --listen.", e);
        } catch (IOException e) {
            throw new CliException("Cannot start the HTTP server on " + listen + ": " + e.getMessage()
                    + ". Check the --listen address.", e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            collector.close();
            stopped.countDown();
        }, "assay-shutdown"));
        stopped.await();
        return 0;
    }
}
