package io.assay.agent.detect;

import io.assay.protocol.Verdict;
import io.assay.testing.ChildProcesses;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Detection benchmark (not a test): runs the labeled set (miner variants and legitimate full loads,
 * real processes) K times and prints recall, precision, false positives and the time from process
 * start to the first MINING finding; then what the closer looks cost (a traffic sample of one
 * connection, a memory scan of one process in question); then spawns 1,000 {@code sleep} processes
 * and prints the detector's CPU time and bytes read per observe cycle (the second cycle must read no
 * executable).
 *
 * <pre>java -cp agent/target/classes:agent/target/test-classes:$(deps) io.assay.agent.detect.DetectionBench [K] [N]</pre>
 */
public final class DetectionBench {
    private DetectionBench() {}

    public static void main(String[] args) throws Exception {
        int k = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Path dir = Files.createTempDirectory("assay-bench");
        try (FakePool pool = new FakePool(0)) {
            LabeledLoads.Kit kit = LabeledLoads.kit(dir, pool);
            labeled(kit, k, dir);
        }
        closerLookCost(dir);
        scanCost(n);
        LabeledLoads.deleteTree(dir);
    }

    /**
     * The encoded miner and the job worker are judged with "busy" at 5 % of a core in half the
     * intervals: the closer looks need a process in question, and on a shared machine under load a
     * spinning process gets far less than the built-in 80 %. The legitimate job worker is judged with
     * the same lowered bar, so precision is measured where false positives are easiest.
     */
    static final String BUSY = "\"thresholds\": {\"cpuSustainedPercent\": 5, \"cpuSustainedFraction\": 0.5}";

    /** A scenario and the local rules its detector runs with ("" for the built-in rules alone). */
    private record Case(LabeledLoads.Scenario scenario, String localRules) {}

    private static HostDetector detector(Path dir, String localRules) throws java.io.IOException {
        if (localRules.isEmpty()) return Detectors.builtIn(HostDetector.Roots.system());
        Path cfg = Files.createDirectories(dir.resolve("cfg-" + System.nanoTime()));
        Files.writeString(cfg.resolve("local-rules.json"), localRules);
        return Detectors.load(cfg, HostDetector.Roots.system());
    }

    private static void labeled(LabeledLoads.Kit kit, int k, Path dir) throws Exception {
        List<Case> set = new ArrayList<>();
        for (var s : List.of(LabeledLoads.flags(), LabeledLoads.kworker(), LabeledLoads.configFile(), LabeledLoads.throttled())) {
            set.add(new Case(s, ""));
        }
        FakePool p443 = null;
        try {
            p443 = new FakePool(443);
            set.add(new Case(LabeledLoads.port443(443), ""));
        } catch (java.io.IOException e) {
            System.out.println("(pool on 443 skipped: " + e.getMessage() + ")");
        }
        FakePool web = null;
        WireAndMemoryDetectionTest.JobServer jobs = null;
        try {
            web = new FakePool(80, true);
        } catch (java.io.IOException e) {
            web = new FakePool(8080, true);
        }
        set.add(new Case(encodedMiner(web, "wire only"), "{" + BUSY + ", \"sources\": {\"memory\": {\"enabled\": false}}}"));
        set.add(new Case(encodedMiner(web, "memory only"), "{" + BUSY + ", \"sources\": {\"capture\": {\"enabled\": false}}}"));
        for (var s : LabeledLoads.legitimate()) set.add(new Case(s, ""));
        try {
            jobs = new WireAndMemoryDetectionTest.JobServer(4444);
            WireAndMemoryDetectionTest.JobServer j = jobs;
            set.add(new Case(new LabeledLoads.Scenario("legit: busy worker of a job server on port 4444", false, x -> {
                Path bin = TestPrograms.jobWorker("jobworker", j.port());
                Process p = ChildProcesses.start(new ProcessBuilder(bin.toString()).redirectErrorStream(true));
                TestMiner.awaitStarted(p);
                return new LabeledLoads.Started(p, List.of(bin.getParent()));
            }), "{" + BUSY + "}"));
        } catch (java.io.IOException e) {
            System.out.println("(job server on 4444 skipped: " + e.getMessage() + ")");
        }
        int tp = 0;
        int fn = 0;
        int fp = 0;
        int tn = 0;
        System.out.printf(Locale.ROOT, "%-52s %-6s %-9s %-9s %s%n", "scenario", "label", "MINING", "median ms", "runs");
        for (Case c : set) {
            LabeledLoads.Scenario s = c.scenario();
            int hits = 0;
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                LabeledLoads.Outcome o;
                try (HostDetector d = detector(dir, c.localRules())) {
                    // the closer looks need the load seen first (3 intervals), then a stratum message or a scan
                    o = LabeledLoads.run(s, kit, d, s.mining() ? Duration.ofSeconds(12) : Duration.ofSeconds(4), Duration.ofMillis(250));
                }
                boolean mining = o.verdict() == Verdict.MINING;
                if (mining) {
                    hits++;
                    times.add(o.msToFirstMining());
                }
                if (s.mining() && mining) tp++;
                else if (s.mining()) fn++;
                else if (mining) fp++;
                else tn++;
            }
            times.sort(null);
            System.out.printf(Locale.ROOT, "%-52s %-6s %-9s %-9s %d%n", s.name(), s.mining() ? "miner" : "legit", hits + "/" + k,
                    times.isEmpty() ? "-" : Long.toString(times.get(times.size() / 2)), k);
        }
        if (p443 != null) p443.close();
        web.close();
        if (jobs != null) jobs.close();
        double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        System.out.printf(Locale.ROOT, "%nrecall %.3f  precision %.3f  false positives %d of %d legitimate runs  (tp %d fn %d tn %d)%n%n",
                recall, precision, fp, fp + tn, tp, fn, tn);
    }

    private static LabeledLoads.Scenario encodedMiner(FakePool pool, String which) {
        return new LabeledLoads.Scenario("miner: strings encoded, service name, stratum on :" + pool.port() + ", " + which, true, k -> {
            Path bin = TestPrograms.encodedMiner("metricsd", pool.port(), TestMiner.moneroAddress());
            Process p = ChildProcesses.start(new ProcessBuilder(bin.toString()).redirectErrorStream(true));
            TestMiner.awaitStarted(p);
            return new LabeledLoads.Started(p, List.of(bin.getParent()));
        });
    }

    /**
     * The cost of the closer looks while the encoded miner runs: memory scans per window and connection
     * samples of 8 s (the default samples for 60 s; the cost grows with the packets, not the time),
     * for every process in question on this host (on a busy shared machine, more than the miner).
     */
    private static void closerLookCost(Path dir) throws Exception {
        try (FakePool pool = new FakePool(0, true);
                HostDetector d = detector(dir, "{" + BUSY + ", \"sources\": {\"capture\": {\"seconds\": 8}}}")) {
            Path bin = TestPrograms.encodedMiner("metricsd", pool.port(), TestMiner.moneroAddress());
            Process p = ChildProcesses.start(new ProcessBuilder(bin.toString()).redirectErrorStream(true));
            TestMiner.awaitStarted(p);
            int windows = 0;
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(24); // samples finish, and are counted, within it
                long windowEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                while (System.nanoTime() < end) {
                    d.observe(Clock.systemUTC().instant());
                    if (System.nanoTime() >= windowEnd) {
                        d.closeWindow(Clock.systemUTC().instant());
                        windows++;
                        windowEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                    }
                    Thread.sleep(250);
                }
            } finally {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                LabeledLoads.deleteTree(bin.getParent());
            }
            System.out.printf(Locale.ROOT, "closer looks at the processes in question while the encoded miner runs (%d windows of 4 s)%n",
                    windows);
            System.out.printf(Locale.ROOT, "%-44s %s%n", "memory scans, per window", String.format(Locale.ROOT, "%.1f MiB read, %.1f ms CPU",
                    d.memoryBytesRead() / 1048576.0 / Math.max(1, windows), d.memoryCpuNanos() / 1e6 / Math.max(1, windows)));
            System.out.printf(Locale.ROOT, "%-44s %s%n%n", "traffic samples of 8 s, finished ones in total", String.format(Locale.ROOT,
                    "%d payload bytes, %.1f ms CPU (%d connection(s) sampled)", d.wireBytesSeen(), d.wireCpuNanos() / 1e6,
                    d.wireFlowsSampled()));
        }
    }

    private static void scanCost(int n) throws Exception {
        List<Process> sleepers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sleepers.add(ChildProcesses.start(new ProcessBuilder("sleep", "600").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)));
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            HostDetector d = Detectors.builtIn(HostDetector.Roots.system());
            System.out.printf(Locale.ROOT, "scan cost with %d extra sleep processes%n%-6s %-12s %-14s %-14s%n", n, "cycle", "cpu ms",
                    "exe bytes", "/proc bytes");
            for (int c = 1; c <= 4; c++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                long exe0 = d.exeBytesRead();
                long proc0 = d.procBytesRead();
                d.observe(Clock.systemUTC().instant());
                System.out.printf(Locale.ROOT, "%-6d %-12.1f %-14d %-14d%n", c, (mx.getCurrentThreadCpuTime() - cpu0) / 1e6,
                        d.exeBytesRead() - exe0, d.procBytesRead() - proc0);
                Thread.sleep(1000);
            }
            long cpu0 = mx.getCurrentThreadCpuTime();
            d.closeWindow(Clock.systemUTC().instant());
            System.out.printf(Locale.ROOT, "closeWindow (incl. pid walk): %.1f ms cpu%n", (mx.getCurrentThreadCpuTime() - cpu0) / 1e6);
        } finally {
            for (Process p : sleepers) p.destroyForcibly();
            for (Process p : sleepers) p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
