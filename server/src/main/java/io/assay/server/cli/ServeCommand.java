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
        ServerConfig config = ServerConfig.builder()
                .log(log)
                .listen(ServerConfig.parseListen(listen))
                .database(database.resolve(main.env()))
                .maxBodyBytes(maxBodyBytes)
                .maxIngestInFlight(maxIngestInFlight)
                .httpThreads(httpThreads)
                .build();
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
