package io.assay.agent.cli;

import io.assay.agent.detect.Assessment;
import io.assay.agent.detect.Detectors;
import io.assay.agent.detect.HostDetector;
import io.assay.agent.detect.judge.Verdicts;
import io.assay.protocol.Finding;
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
            List<Finding> findings, List<String> notes) {}

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
                        a.findings(), a.notes())));
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
        for (String n : a.notes()) System.out.println("note: " + n);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
