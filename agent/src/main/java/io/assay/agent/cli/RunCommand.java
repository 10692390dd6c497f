package io.assay.agent.cli;

import io.assay.agent.config.AgentConfig;
import io.assay.agent.daemon.AgentDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code assay-agent run}: the daemon, until SIGTERM. The daemon reads its own flags
 * ({@link #parsePlain}) so that picocli, which the other commands use, is never loaded into the
 * long-running process: measured, picocli put 180 classes and their reflection into the daemon to
 * read five flags once (README "Footprint"). Everything but a well-formed run of these five flags
 * ({@code --help}, a typo, a missing value) goes to picocli, so help and errors stay as they were.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the agent until stopped (SIGTERM/Ctrl-C): sample, judge, sign, spool and ship reports."
                + " Flags override the configuration file.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: /etc/assay/agent.conf; defaults apply when that file is absent)")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Overrides state.dir")
    String stateDir;

    @Option(names = "--server", paramLabel = "URL", description = "Overrides server.url")
    String server;

    @Option(names = "--sample-interval", paramLabel = "DURATION", description = "Overrides sample.interval, e.g. 1s")
    String sampleInterval;

    @Option(names = "--report-window", paramLabel = "DURATION", description = "Overrides report.window, e.g. 3s")
    String reportWindow;

    /**
     * {@code run}'s flags read without picocli: {@code --name value} or {@code --name=value}, each at
     * most once. Empty when {@code args} is not such a {@code run} command line; picocli then
     * handles it (and reports what is wrong with it).
     */
    static Optional<RunCommand> parsePlain(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) return Optional.empty();
        RunCommand cmd = new RunCommand();
        Map<String, String> seen = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("-") && !args[i + 1].startsWith("@")) {
                value = args[++i]; // picocli would read "-x" or "@file" differently: leave those to it
            } else {
                return Optional.empty();
            }
            if (seen.put(name, value) != null) return Optional.empty();
            switch (name) {
                case "--config" -> cmd.config = Path.of(value);
                case "--state-dir" -> cmd.stateDir = value;
                case "--server" -> cmd.server = value;
                case "--sample-interval" -> cmd.sampleInterval = value;
                case "--report-window" -> cmd.reportWindow = value;
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(cmd);
    }

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (stateDir != null) overrides.put(AgentConfig.STATE_DIR, Path.of(stateDir).toAbsolutePath().toString());
        if (server != null) overrides.put(AgentConfig.SERVER_URL, server);
        if (sampleInterval != null) overrides.put(AgentConfig.SAMPLE_INTERVAL, sampleInterval);
        if (reportWindow != null) overrides.put(AgentConfig.REPORT_WINDOW, reportWindow);
        Path file = config != null ? config : AgentConfig.DEFAULT_FILE;
        AgentConfig cfg;
        if (config == null && !Files.exists(file)) {
            log.info("{} does not exist; using defaults and flags", file);
            cfg = AgentConfig.parse(List.of(), "(defaults and flags)", overrides);
        } else {
            cfg = AgentConfig.load(file, overrides);
        }
        Path configDir = file.toAbsolutePath().getParent();
        // The self-watch's restart: exit 75 from a thread of its own (the shutdown hook stops the
        // scheduler and waits for its jobs, the self-watch among them) and let systemd start us again.
        Runnable restart = () -> new Thread(() -> System.exit(ExitCodes.RESTART), "assay-restart").start();
        AgentDaemon daemon = AgentDaemon.start(cfg, configDir, Clock.systemUTC(), java.util.Optional.of(restart));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("stopping: SIGTERM received; reports already spooled stay spooled");
            daemon.close();
            stopped.countDown();
        }, "assay-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return ExitCodes.OK;
    }
}
