package io.assay.agent.cli;

import io.assay.agent.detect.Assessment;
import io.assay.agent.detect.Detectors;
import io.assay.agent.detect.HostDetector;
import io.assay.agent.detect.judge.Verdicts;
import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.Json;
import io.assay.protocol.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code assay-agent scan}: a one-shot scan of this host, without enrollment or a collector.
 * Observes every second for {@code --seconds}, closes the window, prints a table or JSON.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Scan this host once for crypto-mining: observe processes, executables, connections and host"
                + " state for N seconds, then print each flagged process with its verdict and evidence.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clean", "1:suspect (behaviour only)", "2:mining", "3:degraded (could not see everything)"})
public final class ScanCommand implements Callable<Integer> {
    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", description = "How long to observe (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Option(names = "--proc", paramLabel = "DIR", defaultValue = "/proc", description = "procfs root (default: ${DEFAULT-VALUE})")
    Path proc;

    @Option(names = "--sys", paramLabel = "DIR", defaultValue = "/sys", hidden = true)
    Path sys;

    @Option(names = "--etc", paramLabel = "DIR", defaultValue = "/etc", hidden = true)
    Path etc;

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Read local-rules.json and allowlist.json from DIR (default: built-in rules, no allowlist)")
    Optional<Path> configDir;

    /** The JSON shape of {@code scan --json}. */
    record View(String verdict, int seconds, String rulesHash, String allowlistHash, Map<Integer, String> processes,
            List<Finding> findings, List<String> notes, Hardware hardware) {}

    @Override
    public Integer call() throws InterruptedException {
        if (seconds < 1 || seconds > 3600) {
            System.err.println("--seconds is " + seconds + "; it must be between 1 and 3600. Use e.g. --seconds 5.");
            return 2;
        }
        if (!Files.isDirectory(proc)) {
            System.err.println("Cannot scan: " + proc + " is not a directory. Point --proc at a mounted procfs (default /proc).");
            return 3;
        }
        Clock clock = Clock.systemUTC();
        HostDetector.Roots roots = new HostDetector.Roots(proc, sys, etc);
        try (HostDetector d = configDir.isPresent() ? Detectors.load(configDir.get(), roots) : Detectors.builtIn(roots)) {
            for (int i = 0; i <= seconds; i++) {
                d.observe(clock.instant());
                if (i < seconds) Thread.sleep(1000);
            }
            Assessment a = d.closeWindow(clock.instant());
            Map<Integer, Verdict> per = Verdicts.ofProcesses(a.findings());
            if (json) {
                Map<Integer, String> procs = new LinkedHashMap<>();
                per.forEach((k, v) -> procs.put(k, v.name()));
                System.out.println(Json.toPrettyJson(new View(a.verdict().name(), seconds, d.rulesHash(), d.allowlistHash(), procs,
                        a.findings(), a.notes(), a.hardware())));
            } else {
                printTable(a, per);
            }
            return switch (a.verdict()) {
                case CLEAN -> 0;
                case SUSPECT -> 1;
                case MINING -> 2;
                case DEGRADED -> 3;
            };
        }
    }

    private static void printTable(Assessment a, Map<Integer, Verdict> per) {
        System.out.println("host verdict: " + a.verdict());
        if (!a.findings().isEmpty()) {
            System.out.printf("%-8s %-18s %-10s %-9s %s%n", "PID", "PROCESS", "USER", "VERDICT", "EVIDENCE");
            List<Finding> host = new ArrayList<>();
            for (var e : per.entrySet()) {
                boolean first = true;
                for (Finding f : a.findings()) {
                    if (f.pid() != e.getKey()) continue;
                    String ev = f.ruleId() + ": " + f.summary() + (f.isAllowlisted() ? " [allowlisted: " + f.allowlisted() + "]" : "");
                    if (first) {
                        System.out.printf("%-8d %-18s %-10s %-9s %s%n", f.pid(), cut(f.processName(), 18), cut(f.user(), 10), e.getValue(), ev);
                        first = false;
                    } else {
                        System.out.printf("%-8s %-18s %-10s %-9s %s%n", "", "", "", "", ev);
                    }
                }
            }
            for (Finding f : a.findings()) if (f.pid() == 0) host.add(f);
            for (Finding f : host) System.out.printf("%-8s %-18s %-10s %-9s %s%n", "host", "", "", "", f.ruleId() + ": " + f.summary());
        } else {
            System.out.println("no findings");
        }
        printHardware(a.hardware());
        for (String n : a.notes()) System.out.println("note: " + n);
    }

    /** The window's GPUs, GPU processes, ASIC miners and energy, and which sources were absent and why. */
    private static void printHardware(Hardware h) {
        for (Hardware.Gpu g : h.gpus()) {
            System.out.printf("gpu: %-10s %-24s %s  util %s%% (max %s%%), mem %s, %s%n", g.source(), cut(g.name(), 24), g.id(),
                    figure(g.avg(), "gpuUtilPercent"), figure(g.max(), "gpuUtilPercent"), bytes(g.avg().get("memUsedBytes")),
                    g.avg().containsKey("powerMilliwatts") ? figure(g.avg(), "powerMilliwatts") + " mW" : "power n/a");
        }
        for (Hardware.GpuProcess p : h.gpuProcesses()) {
            System.out.printf("gpu process: %-8d %-18s on %s  %s, SMs %s%%, encoder %s%%, memory %s, libraries: %s%n", p.pid(),
                    cut(p.processName(), 18), p.gpu(), p.kind(), figure(p.figures(), "avgSmUtilPercent"),
                    figure(p.figures(), "avgEncoderUtilPercent"), bytes(p.figures().get("maxMemoryBytes")),
                    p.libraries().isEmpty() ? "none of interest" : String.join(", ", p.libraries()));
        }
        for (Hardware.Asic x : h.asic()) {
            System.out.printf("asic: %-12s %-22s %s%s%n", x.source(), x.where(), x.name(), x.source().equals("cgminer-api")
                    ? String.format(java.util.Locale.ROOT, ", %.0f MH/s, %d devices, pools %s", x.hashRateMhs(), x.devices(), x.pools())
                    : (x.strong() ? "" : " (generic bridge chip)"));
        }
        for (Hardware.Energy e : h.energy()) {
            System.out.printf(java.util.Locale.ROOT, "energy: %-24s %10.1f J  %7.1f W average over %.1f s (%s)%n", e.source(), e.joules(),
                    e.avgWatts(), e.measuredMs() / 1000.0, e.method());
        }
        for (Hardware.Absent x : h.absent()) System.out.println("absent: " + x.source() + ": " + x.why());
    }

    private static String figure(Map<String, Double> m, String key) {
        Double v = m.get(key);
        return v == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.0f", v);
    }

    private static String bytes(Double v) {
        return v == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.0f MiB", v / (1 << 20));
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
