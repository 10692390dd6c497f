package io.assay.agent.config;

import static java.util.Objects.requireNonNull;

import io.assay.agent.config.ConfigException.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The agent's configuration, built once at start-up and passed down by constructor. Loaded from a
 * properties-style file ({@code key = value}, {@code #} comments, lower.dotted keys), then
 * command-line overrides, then validated as a whole: every problem is reported together in one
 * {@link ConfigException}; unknown keys are errors (they are usually typos).
 *
 * <p>Keys, defaults and ranges (the shipped {@code assay/agent.conf} explains each):
 * <ul>
 *   <li>{@code server.url}: collector base URL, http(s); no default, required to run
 *   <li>{@code state.dir}: {@code /var/lib/assay}; holds host.key, enrollment.json, spool.db
 *   <li>{@code sample.interval}: {@code 10s}, 1s..1h
 *   <li>{@code report.window}: {@code 60s}, 1s..24h and at least {@code sample.interval}
 *   <li>{@code report.top.processes}: {@code 20}, 1..500
 *   <li>{@code spool.max.reports}: {@code 100000}, 10..10000000 unacknowledged reports
 *   <li>{@code spool.retention.acked}: {@code 24h}, 0s..365d
 *   <li>{@code ship.batch.size}: {@code 50}, 1..1000 reports per request
 *   <li>{@code ship.backoff.min}: {@code 1s}, 100ms..1h
 *   <li>{@code ship.backoff.max}: {@code 5m}, 1s..24h and at least {@code ship.backoff.min}
 *   <li>{@code ship.timeout}: {@code 30s}, 1s..10m per request
 *   <li>{@code hash.max.bytes.per.cycle}: {@code 64MiB}, 0B..16GiB of executables hashed per report
 *       window (0 turns executable hashing off)
 *   <li>{@code spool.max.bytes}: {@code 256MiB}, 1MiB..64GiB of stored report envelopes; over it,
 *       old clean reports are folded into signed summaries (never MINING/SUSPECT ones)
 *   <li>{@code watch.max.rss}: {@code 96MiB}, 32MiB..4GiB resident memory the agent allows itself
 *   <li>{@code watch.max.cpu.percent}: {@code 5}, 1..400 percent of one core, averaged over 5 minutes
 *   <li>{@code watch.interval}: {@code 1m}, 1s..1h between two self-watch checks (two checks over budget
 *       shed one step; a restart comes six checks after the budget was first exceeded)
 *   <li>{@code metrics.listen}: {@code ""} (off), or a loopback {@code address:port} (127.0.0.1:9465,
 *       [::1]:9465, localhost:9465; port 0 picks a free one) where the agent serves its own
 *       Prometheus metrics at {@code /metrics}
 *   <li>{@code exec.events}: {@code true}, true or false: look at a new program within a second of its
 *       exec (kernel process events), not only at the next sample
 * </ul>
 *
 * @param serverUrl collector base URL without trailing slash, or "" when not configured
 * @param metricsListen the metrics port's loopback {@code host:port}, or "" when it is off
 */
public record AgentConfig(
        String serverUrl,
        Path stateDir,
        Duration sampleInterval,
        Duration reportWindow,
        int reportTopProcesses,
        long spoolMaxReports,
        Duration spoolRetentionAcked,
        int shipBatchSize,
        Duration shipBackoffMin,
        Duration shipBackoffMax,
        Duration shipTimeout,
        long hashMaxBytesPerCycle,
        long spoolMaxBytes,
        long watchMaxRssBytes,
        int watchMaxCpuPercent,
        String metricsListen,
        Duration watchInterval,
        boolean execEvents) {

    public static final Path DEFAULT_FILE = Path.of("/etc/assay/agent.conf");

    public static final String SERVER_URL = "server.url";
    public static final String STATE_DIR = "state.dir";
    public static final String SAMPLE_INTERVAL = "sample.interval";
    public static final String REPORT_WINDOW = "report.window";
    public static final String REPORT_TOP_PROCESSES = "report.top.processes";
    public static final String SPOOL_MAX_REPORTS = "spool.max.reports";
    public static final String SPOOL_RETENTION_ACKED = "spool.retention.acked";
    public static final String SHIP_BATCH_SIZE = "ship.batch.size";
    public static final String SHIP_BACKOFF_MIN = "ship.backoff.min";
    public static final String SHIP_BACKOFF_MAX = "ship.backoff.max";
    public static final String SHIP_TIMEOUT = "ship.timeout";
    public static final String HASH_MAX_BYTES_PER_CYCLE = "hash.max.bytes.per.cycle";
    public static final String SPOOL_MAX_BYTES = "spool.max.bytes";
    public static final String WATCH_MAX_RSS = "watch.max.rss";
    public static final String WATCH_MAX_CPU_PERCENT = "watch.max.cpu.percent";
    public static final String METRICS_LISTEN = "metrics.listen";
    public static final String WATCH_INTERVAL = "watch.interval";
    public static final String EXEC_EVENTS = "exec.events";

    /** Every key with its default as written in the file ("" for no default). */
    static final Map<String, String> DEFAULTS = defaults();

    public AgentConfig {
        requireNonNull(serverUrl, "serverUrl");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(sampleInterval, "sampleInterval");
        requireNonNull(reportWindow, "reportWindow");
        requireNonNull(spoolRetentionAcked, "spoolRetentionAcked");
        requireNonNull(shipBackoffMin, "shipBackoffMin");
        requireNonNull(shipBackoffMax, "shipBackoffMax");
        requireNonNull(shipTimeout, "shipTimeout");
        requireNonNull(metricsListen, "metricsListen");
        requireNonNull(watchInterval, "watchInterval");
    }

    /** The collector URL, or a {@link ConfigException} saying how to set it. */
    public String requireServerUrl() {
        if (serverUrl.isEmpty()) {
            throw new ConfigException("(no server.url)", List.of(new Problem("file and flags", SERVER_URL, "",
                    "required to run: set server.url in agent.conf or pass --server https://collector.example:8443")));
        }
        return serverUrl;
    }

    /** This configuration with {@code server.url} set, e.g. to the URL recorded at enrollment. */
    public AgentConfig withServerUrl(String url) {
        return new AgentConfig(url, stateDir, sampleInterval, reportWindow, reportTopProcesses, spoolMaxReports,
                spoolRetentionAcked, shipBatchSize, shipBackoffMin, shipBackoffMax, shipTimeout, hashMaxBytesPerCycle,
                spoolMaxBytes, watchMaxRssBytes, watchMaxCpuPercent, metricsListen, watchInterval, execEvents);
    }

    /** The configuration with every key at its default. */
    public static AgentConfig defaultConfig() {
        return parse(List.of(), "(defaults)", Map.of());
    }

    /**
     * Reads {@code file}, applies {@code overrides} (key to value, e.g. from command-line flags,
     * reported as {@code --key}), validates everything.
     *
     * @throws ConfigException listing every problem found, or that the file cannot be read
     */
    public static AgentConfig load(Path file, Map<String, String> overrides) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new Problem(file.toString(), "(file)", "",
                    "the file does not exist; create it from the shipped example or pass --config FILE")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new Problem(file.toString(), "(file)", "",
                    "cannot be read (" + e.getMessage() + "); check its permissions")));
        }
        return parse(lines, file.toString(), overrides);
    }

    /** Parses file lines named {@code fileName} in messages; see {@link #load}. */
    public static AgentConfig parse(List<String> lines, String fileName, Map<String, String> overrides) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> values = new HashMap<>(DEFAULTS);
        Map<String, String> sources = new HashMap<>();
        for (String key : DEFAULTS.keySet()) sources.put(key, "default");
        Map<String, Integer> seenAt = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String source = fileName + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq < 0) {
                problems.add(new Problem(source, line, "", "not a \"key = value\" line"));
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!DEFAULTS.containsKey(key)) {
                problems.add(new Problem(source, key, value, "unknown key; known keys are " + String.join(", ", DEFAULTS.keySet())));
                continue;
            }
            Integer earlier = seenAt.put(key, i + 1);
            if (earlier != null) {
                problems.add(new Problem(source, key, value, "set twice (also on line " + earlier + "); keep one"));
                continue;
            }
            values.put(key, value);
            sources.put(key, source);
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (!DEFAULTS.containsKey(o.getKey())) {
                problems.add(new Problem("--" + o.getKey(), o.getKey(), o.getValue(), "unknown key"));
                continue;
            }
            values.put(o.getKey(), o.getValue());
            sources.put(o.getKey(), "--" + o.getKey().replace('.', '-'));
        }

        Parser p = new Parser(values, sources, problems);
        String serverUrl = p.get(SERVER_URL, AgentConfig::serverUrl, "an http:// or https:// URL such as https://collector.example:8443");
        Path stateDir = p.get(STATE_DIR, AgentConfig::path, "an absolute directory path");
        Duration sampleInterval = p.duration(SAMPLE_INTERVAL, Duration.ofSeconds(1), Duration.ofHours(1));
        Duration reportWindow = p.duration(REPORT_WINDOW, Duration.ofSeconds(1), Duration.ofHours(24));
        Integer top = p.integer(REPORT_TOP_PROCESSES, 1, 500);
        Long maxReports = p.longValue(SPOOL_MAX_REPORTS, 10, 10_000_000);
        Duration retention = p.duration(SPOOL_RETENTION_ACKED, Duration.ZERO, Duration.ofDays(365));
        Integer batch = p.integer(SHIP_BATCH_SIZE, 1, 1000);
        Duration backoffMin = p.duration(SHIP_BACKOFF_MIN, Duration.ofMillis(100), Duration.ofHours(1));
        Duration backoffMax = p.duration(SHIP_BACKOFF_MAX, Duration.ofSeconds(1), Duration.ofHours(24));
        Duration timeout = p.duration(SHIP_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(10));
        Long hashBudget = p.size(HASH_MAX_BYTES_PER_CYCLE, 0, 16L << 30);
        Long spoolBytes = p.size(SPOOL_MAX_BYTES, 1L << 20, 64L << 30);
        Long watchRss = p.size(WATCH_MAX_RSS, 32L << 20, 4L << 30);
        Integer watchCpu = p.integer(WATCH_MAX_CPU_PERCENT, 1, 400);
        Duration watchInterval = p.duration(WATCH_INTERVAL, Duration.ofSeconds(1), Duration.ofHours(1));
        String metricsListen = p.get(METRICS_LISTEN, AgentConfig::loopbackListen,
                "empty (off) or a loopback address:port such as 127.0.0.1:9465 or [::1]:9465: the metrics port is for"
                + " this host only (scrape it through a local exporter or proxy)");
        Boolean execEvents = p.bool(EXEC_EVENTS);
        if (sampleInterval != null && reportWindow != null && reportWindow.compareTo(sampleInterval) < 0) {
            p.problem(REPORT_WINDOW, "a duration at least sample.interval (" + Durations.format(sampleInterval) + ")");
        }
        if (backoffMin != null && backoffMax != null && backoffMax.compareTo(backoffMin) < 0) {
            p.problem(SHIP_BACKOFF_MAX, "a duration at least ship.backoff.min (" + Durations.format(backoffMin) + ")");
        }
        if (!problems.isEmpty()) throw new ConfigException(fileName, problems);
        return new AgentConfig(serverUrl, stateDir, sampleInterval, reportWindow, top, maxReports, retention,
                batch, backoffMin, backoffMax, timeout, hashBudget, spoolBytes, watchRss, watchCpu, metricsListen, watchInterval, execEvents);
    }

    /** One line for the start-up log; no secrets live in the configuration. */
    public String summary() {
        return "server=" + (serverUrl.isEmpty() ? "(none)" : serverUrl)
                + " stateDir=" + stateDir
                + " sample=" + Durations.format(sampleInterval)
                + " window=" + Durations.format(reportWindow)
                + " top=" + reportTopProcesses
                + " spoolMax=" + spoolMaxReports
                + " retention=" + Durations.format(spoolRetentionAcked)
                + " batch=" + shipBatchSize
                + " backoff=" + Durations.format(shipBackoffMin) + ".." + Durations.format(shipBackoffMax)
                + " timeout=" + Durations.format(shipTimeout)
                + " hashBudget=" + Durations.formatSize(hashMaxBytesPerCycle) + "/cycle"
                + " spoolMaxBytes=" + Durations.formatSize(spoolMaxBytes)
                + " watch=" + Durations.formatSize(watchMaxRssBytes) + "," + watchMaxCpuPercent + "%cpu/"
                + Durations.format(watchInterval)
                + " metrics=" + (metricsListen.isEmpty() ? "off" : metricsListen)
                + " execEvents=" + (execEvents ? "on" : "off");
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(SERVER_URL, "");
        d.put(STATE_DIR, "/var/lib/assay");
        d.put(SAMPLE_INTERVAL, "10s");
        d.put(REPORT_WINDOW, "60s");
        d.put(REPORT_TOP_PROCESSES, "20");
        d.put(SPOOL_MAX_REPORTS, "100000");
        d.put(SPOOL_RETENTION_ACKED, "24h");
        d.put(SHIP_BATCH_SIZE, "50");
        d.put(SHIP_BACKOFF_MIN, "1s");
        d.put(SHIP_BACKOFF_MAX, "5m");
        d.put(SHIP_TIMEOUT, "30s");
        d.put(HASH_MAX_BYTES_PER_CYCLE, "64MiB");
        d.put(SPOOL_MAX_BYTES, "256MiB");
        d.put(WATCH_MAX_RSS, "96MiB");
        d.put(WATCH_MAX_CPU_PERCENT, "5");
        d.put(WATCH_INTERVAL, "1m");
        d.put(METRICS_LISTEN, "");
        d.put(EXEC_EVENTS, "true");
        return java.util.Collections.unmodifiableMap(d);
    }

    private static Optional<String> serverUrl(String text) {
        if (text.isEmpty()) return Optional.of("");
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getQuery() != null || uri.getFragment() != null) {
                return Optional.empty();
            }
            String s = uri.toString();
            while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
            return Optional.of(s);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * "" (off), or {@code host:port} with a loopback host. Only loopback, and no name lookup but
     * {@code localhost}: the metrics say how the agent is doing (spool depth, failures), which is
     * nobody else's business, and the endpoint has no authentication.
     */
    private static Optional<String> loopbackListen(String text) {
        if (text.isEmpty()) return Optional.of("");
        int colon = text.lastIndexOf(':');
        if (colon <= 0) return Optional.empty();
        String host = text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (port < 0 || port > 65535) return Optional.empty();
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        boolean loopback = host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        return loopback ? Optional.of(text) : Optional.empty();
    }

    private static Optional<Path> path(String text) {
        try {
            Path p = Path.of(text);
            return p.isAbsolute() ? Optional.of(p) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Collects problems instead of throwing, so every key is checked. */
    private static final class Parser {
        private final Map<String, String> values;
        private final Map<String, String> sources;
        private final List<Problem> problems;

        Parser(Map<String, String> values, Map<String, String> sources, List<Problem> problems) {
            this.values = values;
            this.sources = sources;
            this.problems = problems;
        }

        void problem(String key, String expected) {
            problems.add(new Problem(sources.get(key), key, values.get(key), expected));
        }

        <T> T get(String key, Function<String, Optional<T>> parse, String expected) {
            Optional<T> v = parse.apply(values.get(key));
            if (v.isEmpty()) problem(key, "expected " + expected);
            return v.orElse(null);
        }

        Duration duration(String key, Duration min, Duration max) {
            String expected = "a duration between " + Durations.format(min) + " and " + Durations.format(max)
                    + " written like 500ms, 10s, 5m, 1h, 1d";
            Optional<Duration> d = Durations.parseDuration(values.get(key));
            if (d.isEmpty() || d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
                problem(key, "expected " + expected);
                return null;
            }
            return d.get();
        }

        Boolean bool(String key) {
            String text = values.get(key);
            if (text.equals("true")) return true;
            if (text.equals("false")) return false;
            problem(key, "expected true or false");
            return null;
        }

        Integer integer(String key, int min, int max) {
            Long v = longValue(key, min, max);
            return v == null ? null : v.intValue();
        }

        Long longValue(String key, long min, long max) {
            String text = values.get(key);
            try {
                long v = Long.parseLong(text);
                if (v >= min && v <= max) return v;
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(key, "expected a whole number between " + min + " and " + max);
            return null;
        }

        Long size(String key, long min, long max) {
            Optional<Long> v = Durations.parseSize(values.get(key));
            if (v.isEmpty() || v.get() < min || v.get() > max) {
                problem(key, "expected a size between " + Durations.formatSize(min) + " and " + Durations.formatSize(max)
                        + " written like 512KiB, 64MiB, 1GiB");
                return null;
            }
            return v.get();
        }
    }
}
