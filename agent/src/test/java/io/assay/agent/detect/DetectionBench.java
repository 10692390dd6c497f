package io.assay.agent.detect;

import io.assay.protocol.Verdict;
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
 * start to the first MINING finding; then spawns 1,000 {@code sleep} processes and prints the
 * detector's CPU time and bytes read per observe cycle (the second cycle must read no executable).
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
            labeled(kit, k);
        }
        scanCost(n);
        LabeledLoads.deleteTree(dir);
    }

    private static void labeled(LabeledLoads.Kit kit, int k) throws Exception {
        List<LabeledLoads.Scenario> set = new ArrayList<>(List.of(LabeledLoads.flags(), LabeledLoads.kworker(),
                LabeledLoads.configFile(), LabeledLoads.throttled()));
        FakePool p443 = null;
        try {
            p443 = new FakePool(443);
            set.add(LabeledLoads.port443(443));
        } catch (java.io.IOException e) {
            System.out.println("(pool on 443 skipped: " + e.getMessage() + ")");
        }
        set.addAll(LabeledLoads.legitimate());
        int tp = 0;
        int fn = 0;
        int fp = 0;
        int tn = 0;
        System.out.printf(Locale.ROOT, "%-52s %-6s %-9s %-9s %s%n", "scenario", "label", "MINING", "median ms", "runs");
        for (LabeledLoads.Scenario s : set) {
            int hits = 0;
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                HostDetector d = Detectors.builtIn(HostDetector.Roots.system());
                var o = LabeledLoads.run(s, kit, d, s.mining() ? Duration.ofSeconds(6) : Duration.ofSeconds(3), Duration.ofMillis(250));
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
        double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        System.out.printf(Locale.ROOT, "%nrecall %.3f  precision %.3f  false positives %d of %d legitimate runs  (tp %d fn %d tn %d)%n%n",
                recall, precision, fp, fp + tn, tp, fn, tn);
    }

    private static void scanCost(int n) throws Exception {
        List<Process> sleepers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sleepers.add(new ProcessBuilder("sleep", "600").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start());
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
