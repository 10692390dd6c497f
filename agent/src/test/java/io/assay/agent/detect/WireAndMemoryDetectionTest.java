package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import io.assay.testing.ChildProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traffic and memory evidence with real processes: a miner that hides its strings (encoded in the
 * file, decoded at run time), named like a service, without arguments or config, talking cleartext
 * stratum to a fake pool on a web port; and a busy worker of a job server on a pool port.
 */
@Tag("slow")
class WireAndMemoryDetectionTest {
    private static final Duration TICK = Duration.ofMillis(250);
    /**
     * Busy as a loaded shared machine can show it (see RealProcessDetectionTest); and room for many
     * captures at once, since other busy processes on such a machine are in question too and would
     * otherwise hold the few capture slots for their whole sample.
     */
    private static final String BUSY = "\"thresholds\": {\"cpuSustainedPercent\": 5, \"cpuSustainedFraction\": 0.5}";
    private static final String ROOMY_CAPTURE = "\"capture\": {\"flows\": 64, \"seconds\": 20}";

    @TempDir Path config;
    private final List<Path> cleanup = new ArrayList<>();

    @AfterEach
    void clean() throws IOException {
        for (Path p : cleanup) LabeledLoads.deleteTree(p);
    }

    private HostDetector detector(String sources) throws IOException {
        Files.writeString(config.resolve("local-rules.json"), "{" + BUSY + (sources.isEmpty() ? "" : ", " + sources) + "}");
        return Detectors.load(config, HostDetector.Roots.system());
    }

    private static String describe(LabeledLoads.Outcome o) {
        return o.verdict() + " (pids " + o.pids() + "): " + o.findings().stream().map(f -> f.ruleId() + "[" + f.pid() + "] " + f.summary())
                .collect(Collectors.joining("; "));
    }

    /** A pool on a web port: 80 when this user may bind it (root, as the tests run here and on CI), else 8080. */
    private static FakePool webPortPool() throws IOException {
        try {
            return new FakePool(80, true);
        } catch (IOException e) {
            return new FakePool(8080, true); // ports below 1024 need root or CAP_NET_BIND_SERVICE
        }
    }

    private LabeledLoads.Scenario encodedMiner(FakePool pool) {
        return new LabeledLoads.Scenario("miner: strings encoded, service name, no args, stratum on port " + pool.port(), true, k -> {
            Path bin = TestPrograms.encodedMiner("metricsd", pool.port(), TestMiner.moneroAddress());
            cleanup.add(bin.getParent());
            Process p = ChildProcesses.start(new ProcessBuilder(bin.toString()).redirectErrorStream(true));
            TestMiner.awaitStarted(p);
            return new LabeledLoads.Started(p, List.of());
        });
    }

    @Test
    void aMinerThatHidesItsStringsIsMiningByItsTrafficWithMemoryScansOff() throws Exception {
        try (FakePool pool = webPortPool();
                HostDetector d = detector("\"sources\": {\"memory\": {\"enabled\": false}, " + ROOMY_CAPTURE + "}")) {
            var o = LabeledLoads.run(encodedMiner(pool), null, d, Duration.ofSeconds(30), TICK, Duration.ofSeconds(2));
            assertThat(o.verdict()).as(describe(o)).isEqualTo(Verdict.MINING);
            Finding wire = o.findings().stream().filter(f -> f.ruleId().equals("sig.net.stratum")).findFirst()
                    .orElseThrow(() -> new AssertionError("no wire evidence: " + describe(o)));
            assertThat(wire.pid()).isEqualTo(o.pid());
            assertThat(wire.matched().get(0)).isEqualTo("127.0.0.1:" + pool.port());
            assertThat(wire.matched()).anyMatch(m -> m.startsWith("submit") || m.startsWith("job"));
            assertThat(wire.matched().toString()).as("names only, no payload").doesNotContain("job_id").doesNotContain("{");
            assertThat(o.findings()).extracting(Finding::ruleId).doesNotContain("sig.exe.miner-strings", "sig.mem.miner-strings",
                    "sig.mem.wallet", "sig.cmdline.miner", "sig.config.miner", "beh.exe.location");
            assertThat(pool.lines()).anyMatch(l -> l.contains("\"method\":\"submit\""));
        }
    }

    @Test
    void aMinerThatHidesItsStringsIsMiningByItsMemoryWithCaptureOff() throws Exception {
        try (FakePool pool = webPortPool(); HostDetector d = detector("\"sources\": {\"capture\": {\"enabled\": false}}")) {
            // windows of 2 s: the memory budget is per window, and on this shared machine other busy processes
            // are in question too (busy means 5 % of a core here) and may spend a window's budget first
            var o = LabeledLoads.run(encodedMiner(pool), null, d, Duration.ofSeconds(30), TICK, Duration.ofSeconds(2));
            assertThat(o.verdict()).as(describe(o)).isEqualTo(Verdict.MINING);
            assertThat(o.findings()).extracting(Finding::ruleId).contains("sig.mem.miner-strings").doesNotContain("sig.net.stratum",
                    "sig.exe.miner-strings");
            Finding mem = o.findings().stream().filter(f -> f.ruleId().equals("sig.mem.miner-strings")).findFirst().orElseThrow();
            assertThat(mem.matched()).contains("\"method\":\"login\"", "\"method\":\"submit\"");
            o.findings().stream().filter(f -> f.ruleId().equals("sig.mem.wallet")).findFirst().ifPresent(w ->
                    assertThat(w.matched().get(0)).as("a short excerpt only").startsWith("XMR ").contains("…").hasSizeLessThan(30));
        }
    }

    @Test
    void aBusyWorkerOfAJobServerOnAPoolPortIsNeverMining() throws Exception {
        try (JobServer jobs = new JobServer(4444); HostDetector d = detector("\"sources\": {" + ROOMY_CAPTURE + "}")) {
            LabeledLoads.Scenario worker = new LabeledLoads.Scenario("legit: busy worker of a job server on 4444", false, k -> {
                Path bin = TestPrograms.jobWorker("jobworker", jobs.port());
                cleanup.add(bin.getParent());
                Process p = ChildProcesses.start(new ProcessBuilder(bin.toString()).redirectErrorStream(true));
                TestMiner.awaitStarted(p);
                return new LabeledLoads.Started(p, List.of());
            });
            // Until the worker shows as busy on its pool port and its connection was read (30 s at most): a loaded
            // machine may take several windows to show it.
            var o = LabeledLoads.run(worker, null, d, RealProcessDetectionTest.BUSY_WITHIN, TICK, Duration.ofSeconds(2),
                    f -> d.wireFlowsSampled() > 0 && f.stream().anyMatch(x -> x.ruleId().equals("beh.cpu.sustained"))
                            && f.stream().anyMatch(x -> x.ruleId().equals("beh.net.pool-port")));
            assertThat(o.hasRule("beh.cpu.sustained")).as("precondition, the worker is busy: " + describe(o)).isTrue();
            assertThat(d.wireFlowsSampled()).as("its connection was read").isPositive();
            assertThat(o.verdict()).as(describe(o)).isEqualTo(Verdict.SUSPECT);
            assertThat(o.findings()).extracting(Finding::ruleId).contains("beh.net.pool-port").doesNotContain("sig.net.pool-endpoint",
                    "sig.net.stratum");
            assertThat(jobs.requests()).as("the worker talked to its server").isPositive();
        }
    }

    /** A job server on a pool port speaking its own JSON lines: a render farm's dispatcher. */
    static final class JobServer implements AutoCloseable {
        private final ServerSocket server;
        private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

        JobServer(int port) throws IOException {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "job-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int requests() {
            return requests.get();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread r = new Thread(() -> answer(s), "job-server-conn");
                    r.setDaemon(true);
                    r.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void answer(Socket s) {
            try (s; var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                var out = s.getOutputStream();
                while (in.readLine() != null) {
                    int n = requests.incrementAndGet();
                    out.write(("{\"task\":" + n + ",\"scene\":\"atrium\",\"frames\":[" + n + "," + (n + 1) + "]}\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException ignored) {
                // worker killed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
