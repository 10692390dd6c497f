package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import io.assay.testing.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes on this host: a compiled miner-like program against a fake pool, and legitimate full loads. */
@Tag("slow")
class RealProcessDetectionTest {
    private static final Duration MINER_WINDOW = Duration.ofSeconds(6);
    private static final Duration LOAD_WINDOW = Duration.ofMillis(2500);
    private static final Duration TICK = Duration.ofMillis(250);
    /**
     * How long a busy process may take to show as busy: the tests stop as soon as it does (three 3 s
     * windows usually suffice), and a load that never shows within this fails them.
     */
    static final Duration BUSY_WITHIN = Duration.ofSeconds(30);
    /**
     * "Busy" as a loaded shared machine can still show it: 5 % of a core in half the intervals (other
     * builds leave a spinning test process a quarter of a core or less on CI's and this host's 2 cores).
     */
    static final String LOADED_MACHINE_RULES = "{\"thresholds\": {\"cpuSustainedPercent\": 5, \"cpuSustainedFraction\": 0.5}}";

    @TempDir static Path dir;
    static FakePool pool;
    static LabeledLoads.Kit kit;

    @BeforeAll
    static void build() throws Exception {
        pool = new FakePool(0);
        kit = LabeledLoads.kit(dir, pool);
    }

    @AfterAll
    static void stop() throws IOException {
        if (pool != null) pool.close();
    }

    private static HostDetector detector() {
        return Detectors.builtIn(HostDetector.Roots.system());
    }

    private static LabeledLoads.Outcome runMiner(LabeledLoads.Scenario s) throws Exception {
        LabeledLoads.Outcome o = LabeledLoads.run(s, kit, detector(), MINER_WINDOW, TICK);
        assertThat(o.verdict()).as(s.name() + " → " + describe(o)).isEqualTo(Verdict.MINING);
        assertThat(o.findings()).as("evidence names the miner's pid").anyMatch(f -> f.pid() == o.pid());
        return o;
    }

    private static boolean hasRule(java.util.List<Finding> findings, String rule) {
        return findings.stream().anyMatch(f -> f.ruleId().equals(rule));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static String describe(LabeledLoads.Outcome o) {
        return o.findings().stream().map(f -> f.ruleId() + "[" + f.pid() + "] " + f.summary()).collect(Collectors.joining("; "));
    }

    @Test
    void minerWithFlagsIsMiningByCodeCommandLineAndWallet() throws Exception {
        var o = runMiner(LabeledLoads.flags());
        assertThat(o.hasRule("sig.exe.miner-strings")).as(describe(o)).isTrue();
        assertThat(o.hasRule("sig.cmdline.miner")).as(describe(o)).isTrue();
        Finding wallet = o.findings().stream().filter(f -> f.ruleId().equals("sig.wallet.cmdline")).findFirst().orElseThrow();
        assertThat(wallet.matched().get(0)).startsWith("XMR " + kit.wallet().substring(0, 6) + "…").endsWith(kit.wallet().substring(89));
        assertThat(wallet.matched().toString()).doesNotContain(kit.wallet());
        Finding exe = o.findings().stream().filter(f -> f.ruleId().equals("sig.exe.miner-strings")).findFirst().orElseThrow();
        assertThat(exe.exeSha256()).matches("[0-9a-f]{64}");
        assertThat(pool.lines()).anyMatch(l -> l.contains("\"method\":\"login\""));
    }

    @Test
    void kernelThreadImpostorRunFromTmpAndDeletedIsMining() throws Exception {
        var o = runMiner(LabeledLoads.kworker());
        assertThat(o.hasRule("sig.exe.miner-strings")).as("deleted binary still scanned via /proc/PID/exe: " + describe(o)).isTrue();
        // behaviours are reported alongside; the deleted exe and the disguise are static, seen at first sight
        LabeledLoads.Outcome again = LabeledLoads.run(LabeledLoads.kworker(), kit, detector(), Duration.ofMillis(1200), TICK);
        assertThat(again.hasRule("beh.disguise.kthread")).as(describe(again)).isTrue();
        assertThat(again.hasRule("beh.exe.deleted")).as(describe(again)).isTrue();
        assertThat(again.hasRule("beh.exe.location")).as(describe(again)).isTrue();
    }

    @Test
    void minerConfiguredByConfigFileWithoutFlagsOrStringsIsMining() throws Exception {
        var o = runMiner(LabeledLoads.configFile());
        assertThat(o.hasRule("sig.config.miner")).as(describe(o)).isTrue();
        assertThat(o.hasRule("sig.exe.miner-strings")).isFalse();
    }

    @Test
    void throttledMinerIsMiningByCommandLine() throws Exception {
        var o = runMiner(LabeledLoads.throttled());
        assertThat(o.hasRule("sig.cmdline.miner")).as(describe(o)).isTrue();
        assertThat(o.hasRule("beh.cpu.sustained")).isFalse();
    }

    @Test
    void poolOnPort443IsMiningWhenCorroboratedByTheProcess() throws Exception {
        FakePool p443;
        try {
            p443 = new FakePool(443);
        } catch (IOException e) {
            assumeTrue(false, "cannot bind 127.0.0.1:443 (needs root): " + e.getMessage());
            return;
        }
        try (p443) {
            var o = runMiner(LabeledLoads.port443(443));
            assertThat(o.hasRule("sig.net.pool-endpoint")).as(describe(o)).isTrue();
            assertThat(o.findings().stream().filter(f -> f.ruleId().equals("sig.net.pool-endpoint")).findFirst().orElseThrow()
                    .matched().get(0)).isEqualTo("127.0.0.1:443");
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void plainMinerIsMiningByTheApiItServes() throws Exception {
        int apiPort = freePort();
        // no miner strings, no pool, no flags but its API port; throttled, so load proves nothing: only the
        // location (/tmp) makes it a process in question, and then its listening socket is asked
        LabeledLoads.Scenario s = new LabeledLoads.Scenario("miner: plain, API only", true, k -> {
            Path drop = Files.createTempDirectory(Path.of("/tmp"), "svc-");
            Path bin = drop.resolve("cachesvc");
            Files.copy(k.plainMiner(), bin);
            bin.toFile().setExecutable(true);
            Process p = ChildProcesses.start(new ProcessBuilder(bin.toString(), "--throttle", "--api-port",
                    Integer.toString(apiPort)).redirectErrorStream(true));
            TestMiner.awaitStarted(p);
            return new LabeledLoads.Started(p, java.util.List.of(drop));
        });
        var o = runMiner(s);
        Finding api = o.findings().stream().filter(f -> f.ruleId().equals("sig.api.miner")).findFirst()
                .orElseThrow(() -> new AssertionError("no sig.api.miner: " + describe(o)));
        assertThat(api.pid()).isEqualTo(o.pid());
        assertThat(api.kind()).isEqualTo(Finding.Kind.SIGNATURE);
        assertThat(api.matched()).containsExactly("xmrig", "127.0.0.1:" + apiPort);
        assertThat(o.hasRule("sig.exe.miner-strings")).isFalse();
        assertThat(o.hasRule("sig.cmdline.miner")).isFalse();
    }

    @Test
    void anIdleServiceWithOnlyAWeakFindingIsNotProbed() throws Exception {
        int apiPort = freePort();
        // It serves a miner API, so a probe would flag it: that it stays unflagged shows it was not asked.
        // Its title differs from its exe (a weak finding, as for nginx or postgres); it is idle and lives
        // outside the miner drop directories, so nothing else puts it in question.
        Path home = Files.createDirectories(Path.of(System.getProperty("user.home"), ".cache", "assay-tests"));
        LabeledLoads.Scenario s = new LabeledLoads.Scenario("legit: idle service with its own title", false, k -> {
            Path drop = Files.createTempDirectory(home, "svc-");
            Path bin = drop.resolve("cachesvc");
            Files.copy(k.plainMiner(), bin);
            bin.toFile().setExecutable(true);
            Process p = ChildProcesses.start(new ProcessBuilder(bin.toString(), "--threads", "0", "--name", "postgres",
                    "--api-port", Integer.toString(apiPort)).redirectErrorStream(true));
            TestMiner.awaitStarted(p);
            return new LabeledLoads.Started(p, java.util.List.of(drop));
        });
        var o = LabeledLoads.run(s, kit, detector(), LOAD_WINDOW, TICK);
        assertThat(o.hasRule("beh.disguise.comm")).as("precondition, the weak finding: " + describe(o)).isTrue();
        assertThat(o.hasRule("sig.api.miner")).as(describe(o)).isFalse();
        assertThat(o.verdict()).isNotEqualTo(Verdict.MINING);
    }

    @Test
    void busyPythonWebServerIsProbedButNotAMiner(@TempDir Path config) throws Exception {
        Path script = dir.resolve("web.py");
        Files.writeString(script, """
                import http.server, json, sys, threading
                sys.setswitchinterval(0.001)
                class H(http.server.BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.0"
                    def do_GET(self):
                        if self.path == "/":
                            body, kind = b"<html><body><h1>Status</h1><p>hashrate: n/a</p></body></html>", "text/html"
                        else:
                            body, kind = json.dumps({"status": "ok", "algo": "lz4", "hashrate": None, "uptime": 12}).encode(), "application/json"
                        self.send_response(200)
                        self.send_header("Content-Type", kind)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, fmt, *args):
                        sys.stderr.write("REQ " + self.requestline + "\\n")
                        sys.stderr.flush()
                srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
                threading.Thread(target=srv.serve_forever, daemon=True).start()
                print("started", srv.server_address[1], flush=True)
                x = 0
                while True:
                    x = (x * 6364136223846793005 + 1) & 0xffffffffffffffff
                """);
        Path log = dir.resolve("web.log");
        LabeledLoads.Scenario web = new LabeledLoads.Scenario("legit: busy python http.server", false, k -> {
            Process p = ChildProcesses.start(new ProcessBuilder("python3", script.toString()).redirectError(log.toFile()));
            TestMiner.awaitStarted(p);
            return new LabeledLoads.Started(p, java.util.List.of());
        });
        assumeTrue(new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0, "python3 is not installed");
        // judged busy at 5% of a core in half the intervals here: on a shared 2-core machine loaded by other builds a
        // spinning process gets a quarter of a core or less; so the server is a process in question and gets probed
        Files.writeString(config.resolve("local-rules.json"), LOADED_MACHINE_RULES);
        HostDetector d = Detectors.load(config, HostDetector.Roots.system());
        // Until the server shows as busy and has been asked (30 s at most): a loaded machine may take several windows.
        var o = LabeledLoads.run(web, kit, d, BUSY_WITHIN, TICK, Duration.ofSeconds(3),
                f -> hasRule(f, "beh.cpu.sustained") && readQuietly(log).contains("REQ GET /1/summary"));
        assertThat(o.hasRule("beh.cpu.sustained")).as(describe(o)).isTrue();
        assertThat(Files.readString(log)).as("the probe asked the server").contains("REQ GET /1/summary HTTP/1.0");
        assertThat(o.hasRule("sig.api.miner")).as(describe(o)).isFalse();
        assertThat(o.verdict()).isNotEqualTo(Verdict.MINING);
    }

    @Test
    void legitimateFullLoadsAreNotMining() throws Exception {
        for (LabeledLoads.Scenario s : LabeledLoads.legitimate()) {
            var o = LabeledLoads.run(s, kit, detector(), LOAD_WINDOW, TICK);
            assertThat(o.verdict()).as(s.name() + " → " + describe(o)).isNotEqualTo(Verdict.MINING);
            assertThat(o.findings()).as(s.name()).noneMatch(f -> f.kind() == Finding.Kind.SIGNATURE);
        }
    }

    @Test
    void busyProcessIsSuspectAloneAndCleanWhenAllowlisted(@TempDir Path config) throws Exception {
        LabeledLoads.Scenario busy = new LabeledLoads.Scenario("sha256sum", false,
                k -> new LabeledLoads.Started(ChildProcesses.start(new ProcessBuilder("sha256sum", "/dev/zero")), java.util.List.of()));
        // this shared 2-core machine may be loaded by other builds: judge "busy" at 5% of a core here,
        // set through local rules (which also proves thresholds override one by one)
        Files.writeString(config.resolve("local-rules.json"), LOADED_MACHINE_RULES);
        HostDetector lowered = Detectors.load(config, HostDetector.Roots.system());
        assertThat(lowered.rules().thresholds().cpuSustainedPercent()).isEqualTo(5);
        assertThat(lowered.rules().thresholds().minIntervals()).isEqualTo(3);
        // windows of 3 s until one shows the load: on a machine this loaded a window may not
        var plain = LabeledLoads.run(busy, kit, lowered, BUSY_WITHIN, TICK, Duration.ofSeconds(3),
                f -> hasRule(f, "beh.cpu.sustained"));
        assertThat(plain.hasRule("beh.cpu.sustained")).as(describe(plain) + " pids " + plain.pids()).isTrue();
        assertThat(plain.verdict()).isEqualTo(Verdict.SUSPECT);

        String exe = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString(); // sanity: /proc works
        assertThat(exe).isNotEmpty();
        Path sha = Path.of(new ProcessBuilder("sh", "-c", "readlink -f $(command -v sha256sum)").start().inputReader().readLine());
        Files.writeString(config.resolve("allowlist.json"), """
                {"entries": [
                  {"exePath": "%s", "reason": "checksum job", "expires": "%s"}
                ]}""".formatted(sha, LocalDate.now().plusDays(30)));
        HostDetector allowing = Detectors.load(config, HostDetector.Roots.system());
        assertThat(allowing.allowlistHash()).matches("[0-9a-f]{64}");
        var allowed = LabeledLoads.run(busy, kit, allowing, BUSY_WITHIN, TICK, Duration.ofSeconds(3),
                f -> hasRule(f, "beh.cpu.sustained"));
        assertThat(allowed.verdict()).as(describe(allowed)).isEqualTo(Verdict.CLEAN);
        assertThat(allowed.findings()).isNotEmpty().allMatch(f -> f.allowlisted().equals("checksum job"));
    }
}
