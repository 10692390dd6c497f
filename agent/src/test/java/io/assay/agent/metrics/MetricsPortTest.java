package io.assay.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.agent.config.AgentConfig;
import io.assay.agent.daemon.AgentDaemon;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolStatus;
import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Ed25519Signer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole agent with {@code metrics.listen} set, scraped over real HTTP while its collector is down. */
@Tag("slow")
class MetricsPortTest {
    @TempDir Path tmp;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesCycleSpoolShippingAndShedMetricsOnLoopbackAndStopsWithTheAgent() throws Exception {
        StateDir state = new StateDir(tmp.resolve("state"));
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment("host-1", "http://127.0.0.1:" + freePort(), "tok", key.publicKey().keyId()));
        int port = freePort();
        AgentConfig config = AgentConfig.parse(List.of(), "test", Map.of(
                "state.dir", state.root().toString(), "sample.interval", "1s", "report.window", "1s",
                "ship.backoff.min", "100ms", "ship.backoff.max", "1s", "ship.timeout", "2s",
                "metrics.listen", "127.0.0.1:" + port));
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        AtomicInteger restarts = new AtomicInteger();

        try (AgentDaemon daemon = AgentDaemon.start(config, tmp, Clock.systemUTC(), Optional.of(restarts::incrementAndGet))) {
            Map<String, Double> m = Map.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            // Wait on what the scrape itself says: a few ticks, reports waiting, and a failed ship run (every 5 s).
            while (System.nanoTime() < deadline) {
                m = scrape(metrics);
                if (m.getOrDefault("assay_agent_cycle_seconds_count", 0.0) >= 3
                        && m.getOrDefault("assay_agent_spool_pending_reports", 0.0) >= 2
                        && m.getOrDefault("assay_agent_ship_failures_total", 0.0) >= 1) {
                    break;
                }
                Thread.sleep(250);
            }
            SpoolStatus spool = Spool.peekStatus(state.spoolFile(), Clock.systemUTC());

            double count = m.get("assay_agent_cycle_seconds_count");
            assertThat(count).as("%s", m).isGreaterThanOrEqualTo(3);
            assertThat(m.get("assay_agent_cycle_seconds_bucket{le=\"+Inf\"}")).isEqualTo(count);
            double previous = 0;
            for (double le : AgentMetrics.CYCLE_BUCKETS) {
                String bucket = "assay_agent_cycle_seconds_bucket{le=\"" + (le == Math.rint(le) ? Long.toString((long) le)
                        : Double.toString(le)) + "\"}";
                assertThat(m.get(bucket)).as(bucket + " is cumulative").isNotNull().isGreaterThanOrEqualTo(previous);
                previous = m.get(bucket);
            }
            assertThat(m.get("assay_agent_cycle_seconds_sum")).isPositive();
            assertThat(m.get("assay_agent_cycle_last_seconds")).isPositive().isLessThan(30);
            assertThat(m.get("assay_agent_spool_pending_reports")).isGreaterThanOrEqualTo(2)
                    .isLessThanOrEqualTo(spool.depth());
            assertThat(m.get("assay_agent_spool_bytes")).isPositive().isLessThanOrEqualTo(spool.bytes());
            assertThat(m.get("assay_agent_ship_failures_total")).as("the collector is down").isGreaterThanOrEqualTo(1);
            assertThat(m.get("assay_agent_last_acknowledged_seq")).as("nothing acknowledged").isZero();
            assertThat(m.get("assay_agent_last_acknowledged_timestamp_seconds")).isZero();
            assertThat(m.get("assay_agent_starts_total")).isEqualTo(1);
            assertThat(m.get("assay_agent_spool_write_failing")).isZero();
            assertThat(m).containsEntry("assay_agent_shed_active{work=\"content_scans\"}", 0.0)
                    .containsEntry("assay_agent_shed_active{work=\"every_other_tick\"}", 0.0);

            HttpResponse<String> text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(text.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
            assertThat(text.body()).contains("# TYPE assay_agent_cycle_seconds histogram")
                    .contains("# TYPE assay_agent_ship_failures_total counter");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.ofString("x"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(metrics.resolve("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(threadNamed("assay-metrics")).isTrue();
        }
        assertThatThrownBy(() -> scrape(metrics)).as("the port closes with the agent").isInstanceOf(IOException.class);
        assertThat(threadNamed("assay-metrics")).as("its thread is gone").isFalse();
        assertThat(restarts).hasValue(0);
    }

    @Test
    void aNonLoopbackAddressIsRefusedAtStart() {
        assertThatThrownBy(() -> AgentConfig.parse(List.of("metrics.listen = 0.0.0.0:9465"), "agent.conf", Map.of()))
                .hasMessageContaining("metrics.listen").hasMessageContaining("loopback");
        assertThat(AgentConfig.parse(List.of("metrics.listen = [::1]:9465"), "agent.conf", Map.of()).metricsListen())
                .isEqualTo("[::1]:9465");
        assertThat(AgentConfig.defaultConfig().metricsListen()).as("off by default").isEmpty();
    }

    /**
     * The memory goal counts classes: with the key empty, neither this package nor the JDK's HTTP
     * server is loaded. A fresh JVM runs the daemon for a few ticks with class loading logged, once
     * off and once on (which shows the check can see them).
     */
    @Test
    void withTheKeyEmptyNothingOfTheMetricsPortIsLoaded() throws Exception {
        List<String> off = loadedClasses("");
        assertThat(off).as("the probe ran the daemon").contains("io.assay.agent.daemon.SampleTicks");
        assertThat(off.stream().filter(MetricsPortTest::metricsPortClass).toList()).isEmpty();
        assertThat(loadedClasses("127.0.0.1:" + freePort()).stream().filter(MetricsPortTest::metricsPortClass).toList())
                .as("on, they load").contains("io.assay.agent.metrics.AgentMetrics", "io.assay.agent.metrics.MetricsEndpoint",
                        "com.sun.net.httpserver.HttpServer");
    }

    private static boolean metricsPortClass(String name) {
        return (name.startsWith("io.assay.agent.metrics.") && !name.startsWith(MetricsPortTest.class.getName()))
                || name.startsWith("com.sun.net.httpserver.") || name.startsWith("sun.net.httpserver.");
    }

    private List<String> loadedClasses(String listen) throws Exception {
        Path state = tmp.resolve("state-" + System.nanoTime());
        StateDir dir = new StateDir(state);
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        dir.writeHostKey(key);
        dir.writeEnrollment(new Enrollment("host-1", "http://127.0.0.1:" + freePort(), "tok", key.publicKey().keyId()));
        Path classLog = tmp.resolve("classes-" + System.nanoTime() + ".log");
        Path out = tmp.resolve("out-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + classLog, "-cp", System.getProperty("java.class.path"),
                RunForAWhile.class.getName(), state.toString(), listen, tmp.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the probe JVM finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(java.nio.file.Files.readString(out)).isZero();
        // Lines look like "[0.012s][info][class,load] java.lang.Object source: shared objects file".
        return java.nio.file.Files.readAllLines(classLog).stream().filter(l -> l.contains("[class,load]"))
                .map(l -> l.substring(l.indexOf("[class,load]") + 13).split(" ")[0]).toList();
    }

    /** The daemon for three seconds (three sample ticks, the first ship run), in its own JVM. */
    static final class RunForAWhile {
        public static void main(String[] args) throws Exception {
            AgentConfig config = AgentConfig.parse(List.of(), "probe", Map.of("state.dir", args[0], "sample.interval", "1s",
                    "report.window", "1s", "metrics.listen", args.length > 1 ? args[1] : ""));
            try (AgentDaemon daemon = AgentDaemon.start(config, Path.of(args[2]), Clock.systemUTC(), Optional.of(() -> { }))) {
                Thread.sleep(3_000);
            }
            System.exit(0);
        }
    }

    /** Each sample line as "name{labels}" to value; comments skipped. */
    private Map<String, Double> scrape(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
