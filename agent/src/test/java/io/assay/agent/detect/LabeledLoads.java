package io.assay.agent.detect;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import io.assay.testing.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The labeled set: miner variants (must be MINING) and legitimate full loads (must not be), run as
 * real processes against a real detector. Shared by the tests and {@link DetectionBench}.
 */
final class LabeledLoads {
    private LabeledLoads() {}

    /** What a scenario needs: a work dir, the two builds of the miner, a pool. */
    record Kit(Path dir, Path miner, Path plainMiner, FakePool pool, String wallet) {}

    /** A started load; {@code cleanup} runs after it is killed. */
    record Started(Process process, List<Path> cleanup) {}

    interface Starter {
        Started start(Kit kit) throws Exception;
    }

    record Scenario(String name, boolean mining, Starter starter) {}

    /** What the detector said about a scenario's process tree. */
    record Outcome(Scenario scenario, Verdict verdict, List<Finding> findings, long msToFirstMining, int pid, Set<Integer> pids) {
        boolean hasRule(String ruleId) {
            return findings.stream().anyMatch(f -> f.ruleId().equals(ruleId));
        }
    }

    static Kit kit(Path dir, FakePool pool) throws IOException, InterruptedException {
        return new Kit(dir, TestMiner.compile(dir, false), TestMiner.compile(dir, true), pool, TestMiner.moneroAddress());
    }

    static Scenario flags() {
        return new Scenario("miner: plain name + flags", true, k -> started(new ProcessBuilder(k.miner().toString(),
                "-o", "127.0.0.1:" + k.pool().port(), "-u", k.wallet() + ".rig1", "--donate-level", "1", "-a", "rx/0")));
    }

    static Scenario kworker() {
        return new Scenario("miner: /tmp copy as [kworker/0:1], deleted", true, k -> {
            Path hidden = Files.createTempDirectory(Path.of("/tmp"), ".X11-");
            Path bin = hidden.resolve("kw");
            Files.copy(k.miner(), bin);
            bin.toFile().setExecutable(true);
            Process p = ChildProcesses.start(new ProcessBuilder("bash", "-c", "exec -a '[kworker/0:1]' " + bin + " -o 127.0.0.1:"
                    + k.pool().port() + " --name kworker/0:1").redirectErrorStream(true));
            TestMiner.awaitStarted(p);
            Files.delete(bin);
            return new Started(p, List.of(hidden));
        });
    }

    static Scenario configFile() {
        return new Scenario("miner: settings from config.json, no flags, no strings", true, k -> {
            Path cwd = Files.createDirectories(k.dir().resolve("cfg-" + System.nanoTime()));
            Files.writeString(cwd.resolve("config.json"), """
                    {"autosave": true, "donate-level": 1, "cpu": {"huge-pages": true},
                     "randomx": {"mode": "auto", "1gb-pages": false},
                     "pools": [{"url": "127.0.0.1:%d", "user": "%s", "pass": "x", "keepalive": true}]}
                    """.formatted(k.pool().port(), k.wallet()));
            return started(new ProcessBuilder(k.plainMiner().toString()).directory(cwd.toFile()));
        });
    }

    static Scenario throttled() {
        return new Scenario("miner: throttled to 25% of a core, no strings", true, k -> started(new ProcessBuilder(
                k.plainMiner().toString(), "-o", "stratum+tcp://127.0.0.1:" + k.pool().port(), "--donate-level", "1", "--throttle")));
    }

    static Scenario port443(int port) {
        return new Scenario("miner: pool on port " + port + ", no strings, no flags", true, k -> {
            Path drop = Files.createTempDirectory(Path.of("/tmp"), "drop-");
            Path bin = drop.resolve("sysupd");
            Files.copy(k.plainMiner(), bin);
            bin.toFile().setExecutable(true);
            return new Started(awaited(new ProcessBuilder(bin.toString(), "-o", "127.0.0.1:" + port)), List.of(drop));
        });
    }

    static List<Scenario> legitimate() {
        return List.of(
                new Scenario("legit: gzip -9 of random data", false, k -> started(new ProcessBuilder("gzip", "-9", "-c")
                        .redirectInput(Path.of("/dev/urandom").toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD), false)),
                new Scenario("legit: xz -9 of random data", false, k -> started(new ProcessBuilder("xz", "-9", "-T1", "-c")
                        .redirectInput(Path.of("/dev/urandom").toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD), false)),
                new Scenario("legit: sha256sum of a large file", false, k -> started(new ProcessBuilder("sha256sum", "/dev/zero"), false)),
                new Scenario("legit: gcc loop (make-like) writing pool.o", false, k -> {
                    Path c = k.dir().resolve("gen.c");
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 400; i++) {
                        sb.append("double f").append(i).append("(double x){double s=0;for(int i=0;i<").append(i + 10)
                                .append(";i++)s+=x*i/(i+1.0);return s;}\n");
                    }
                    Files.writeString(c, sb);
                    return started(new ProcessBuilder("sh", "-c", "cd " + k.dir() + " && while :; do gcc -pipe -O2 -c gen.c -o pool.o; done"), false);
                }),
                new Scenario("legit: busy JVM", false, k -> {
                    Path src = k.dir().resolve("Spin.java");
                    Files.writeString(src, "public class Spin { public static void main(String[] a) { long x = 0;"
                            + " while (true) { x = x * 6364136223846793005L + 1; if (x == 42) System.out.println(x); } } }");
                    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                    return started(new ProcessBuilder(java, "-Xmx64m", src.toString()), false);
                }));
    }

    private static Started started(ProcessBuilder pb) throws IOException {
        return new Started(awaited(pb), List.of());
    }

    private static Started started(ProcessBuilder pb, boolean await) throws IOException {
        if (pb.redirectOutput() == ProcessBuilder.Redirect.PIPE) pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        return new Started(ChildProcesses.start(pb), List.of());
    }

    private static Process awaited(ProcessBuilder pb) throws IOException {
        Process p = ChildProcesses.start(pb.redirectErrorStream(true));
        TestMiner.awaitStarted(p);
        return p;
    }

    /**
     * Starts the scenario, observes every {@code tick} for up to {@code window} (a miner scenario stops
     * at its first MINING signature), closes the window and kills the process tree.
     */
    static Outcome run(Scenario s, Kit kit, HostDetector detector, Duration window, Duration tick) throws Exception {
        return run(s, kit, detector, window, tick, window.plusDays(1)); // one report window: it never closes early
    }

    /**
     * As {@link #run(Scenario, Kit, HostDetector, Duration, Duration)}, closing a report window every
     * {@code reportWindow} as the agent does (per-window budgets start afresh); the outcome is the
     * findings of the windows together.
     */
    static Outcome run(Scenario s, Kit kit, HostDetector detector, Duration window, Duration tick, Duration reportWindow)
            throws Exception {
        return run(s, kit, detector, window, tick, reportWindow, findings -> false);
    }

    /**
     * As {@link #run(Scenario, Kit, HostDetector, Duration, Duration, Duration)}, but stops at the
     * first report window whose close makes {@code enough} true of the process tree's findings so far:
     * on a loaded machine a busy process may need several windows to show its load, so tests wait for
     * what they assert (bounded by {@code window}) instead of betting on a fixed time.
     */
    static Outcome run(Scenario s, Kit kit, HostDetector detector, Duration window, Duration tick, Duration reportWindow,
            java.util.function.Predicate<List<Finding>> enough) throws Exception {
        Clock clock = Clock.systemUTC();
        long t0 = System.nanoTime();
        Started st = s.starter().start(kit);
        Process p = st.process();
        Set<Integer> pids = new HashSet<>();
        pids.add((int) p.pid());
        long firstMining = -1;
        try {
            long deadline = System.nanoTime() + window.toNanos();
            long windowEnd = System.nanoTime() + reportWindow.toNanos();
            List<Finding> earlier = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                if (System.nanoTime() >= windowEnd) {
                    earlier.addAll(detector.closeWindow(clock.instant()).findings());
                    windowEnd = System.nanoTime() + reportWindow.toNanos();
                    if (enough.test(earlier.stream().filter(f -> pids.contains(f.pid())).toList())) break;
                }
                p.descendants().forEach(h -> pids.add((int) h.pid()));
                for (Finding f : detector.observe(clock.instant())) {
                    if (pids.contains(f.pid()) && firstMining < 0) firstMining = (System.nanoTime() - t0) / 1_000_000;
                }
                if (s.mining() && firstMining >= 0) break;
                Thread.sleep(tick.toMillis());
            }
            Assessment a = detector.closeWindow(clock.instant());
            earlier.addAll(a.findings());
            List<Finding> mine = new ArrayList<>();
            for (Finding f : earlier) if (pids.contains(f.pid())) mine.add(f);
            Verdict v = io.assay.agent.detect.judge.Verdicts.ofProcess(mine);
            if (v == Verdict.MINING && firstMining < 0) firstMining = (System.nanoTime() - t0) / 1_000_000;
            return new Outcome(s, v, mine, firstMining, (int) p.pid(), pids);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            for (Path c : st.cleanup()) deleteTree(c);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
