package io.assay.agent.detect.judge;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The verdict function: the one place where findings become {@code MINING}, {@code SUSPECT},
 * {@code DEGRADED} or {@code CLEAN}, for a whole window and for each process in it. The judge's
 * {@link Judge#close}, {@code scan}'s table and the tests all call it, so they cannot disagree.
 */
public final class Verdicts {
    private Verdicts() {}

    /** A window's verdict, each process's verdict, and why (the reasons go into the report's notes). */
    public record Judgement(Verdict verdict, Map<Integer, Verdict> processes, List<String> reasons) {
        public Judgement {
            processes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(processes));
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * The window's verdict: {@code MINING} when any process is (a signature, or behaviours of two or
     * more independent groups, one of them a resource group) or CPU is burnt by no visible process
     * while processes are hidden; else {@code DEGRADED} when {@code degraded}; else {@code SUSPECT}
     * when any process is or any host finding remains; else {@code CLEAN}.
     */
    public static Judgement judge(List<Finding> findings, boolean degraded) {
        Map<Integer, Verdict> per = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        Map<Integer, List<Finding>> byPid = new LinkedHashMap<>();
        for (Finding f : findings) if (f.pid() != 0) byPid.computeIfAbsent(f.pid(), k -> new ArrayList<>()).add(f);
        boolean mining = false;
        boolean suspect = false;
        for (var e : byPid.entrySet()) {
            List<Finding> fs = e.getValue();
            Verdict v = ofProcess(fs);
            per.put(e.getKey(), v);
            mining |= v == Verdict.MINING;
            suspect |= v == Verdict.SUSPECT;
            if (v == Verdict.MINING && fs.stream().noneMatch(f -> f.kind() == Finding.Kind.SIGNATURE)) {
                reasons.add("process " + e.getKey() + " shows independent behaviours " + String.join(" + ", groups(fs))
                        + ": judged MINING");
            }
        }
        for (Finding f : findings) {
            if (f.pid() == 0 && f.kind() == Finding.Kind.SIGNATURE) {
                mining = true; // a miner API whose serving process the agent cannot see is still a miner
                reasons.add(f.ruleId() + " with no visible process behind it: judged MINING");
            }
        }
        Set<String> host = new HashSet<>();
        for (Finding f : findings) if (f.kind() == Finding.Kind.HOST) host.add(f.ruleId());
        if (host.contains("host.hidden-cpu") && (host.contains("host.ld-preload") || host.contains("host.hidden-pid"))) {
            mining = true;
            reasons.add("CPU is burnt by no visible process while processes are hidden: judged MINING");
        }
        suspect |= !host.isEmpty();
        Verdict v = mining ? Verdict.MINING : suspect ? Verdict.SUSPECT : Verdict.CLEAN;
        if (degraded) v = degraded(v);
        return new Judgement(v, per, reasons);
    }

    /**
     * {@code v} when something the agent must see was missing: {@code MINING} stays (what was seen is
     * enough), anything else becomes {@code DEGRADED}. The report uses it for samplers that failed.
     */
    public static Verdict degraded(Verdict v) {
        return v == Verdict.MINING ? Verdict.MINING : Verdict.DEGRADED;
    }

    /** The verdict of one process's findings (no host part, no degradation). */
    public static Verdict ofProcess(List<Finding> fs) {
        if (fs.stream().anyMatch(f -> f.kind() == Finding.Kind.SIGNATURE)) return Verdict.MINING;
        Set<String> groups = groups(fs);
        boolean resource = groups.contains("load") || groups.contains("memory") || groups.contains("msr") || groups.contains("gpu");
        if (groups.size() >= 2 && resource) return Verdict.MINING;
        // Unexplained GPU compute holding a connection to a pool port: a GPU miner (a port alone is weak,
        // GPU use alone may be a framework the rules do not know yet; together they are what miners do).
        if (groups.contains("gpu") && fs.stream().anyMatch(f -> f.ruleId().startsWith("beh.net.") && !f.isAllowlisted())) {
            return Verdict.MINING;
        }
        return fs.stream().anyMatch(f -> countsAsSuspect(f, fs)) ? Verdict.SUSPECT : Verdict.CLEAN;
    }

    /** pid → verdict for every pid that has findings, in order of first appearance. */
    public static Map<Integer, Verdict> ofProcesses(List<Finding> findings) {
        return judge(findings, false).processes();
    }

    /** The independent behaviour groups among a process's findings that count towards MINING. */
    private static Set<String> groups(List<Finding> fs) {
        Set<String> groups = new TreeSet<>();
        for (Finding f : fs) {
            if (f.kind() != Finding.Kind.BEHAVIOUR || f.isAllowlisted()) continue;
            String g = groupOf(f.ruleId());
            if (!g.equals("weak") && !g.equals("network")) groups.add(g);
        }
        return groups;
    }

    /**
     * Whether {@code f} makes a window (or its process) {@code SUSPECT}: any behaviour not allowlisted,
     * except a lone memfd exe. Container runtimes re-exec themselves from memfd
     * ({@code /memfd:runc_cloned:/proc/self/exe}) and systemd and sandboxes run sealed memfds, so on
     * its own it is kept as evidence only; with CPU load or another behaviour of the same process it
     * counts (and towards {@code MINING} as the location group).
     */
    static boolean countsAsSuspect(Finding f, List<Finding> all) {
        if (f.kind() != Finding.Kind.BEHAVIOUR || f.isAllowlisted()) return false;
        if (!f.ruleId().equals("beh.exe.memfd")) return true;
        return all.stream().anyMatch(o -> o.pid() == f.pid() && o.kind() == Finding.Kind.BEHAVIOUR && !o.isAllowlisted()
                && !o.ruleId().equals("beh.exe.memfd"));
    }

    /**
     * Independence groups: findings in one group are facets of one fact and count once. "weak" and
     * "network" findings are evidence that corroborates but never decides.
     */
    public static String groupOf(String ruleId) {
        if (ruleId.startsWith("beh.cpu.")) return "load";
        if (ruleId.equals("beh.exe.location") || ruleId.equals("beh.exe.deleted") || ruleId.equals("beh.exe.memfd")) return "location";
        if (ruleId.equals("beh.disguise.kthread") || ruleId.equals("beh.disguise.name") || ruleId.equals("beh.exe.packed")) return "disguise";
        if (ruleId.equals("beh.hugepages")) return "memory";
        if (ruleId.equals("beh.msr")) return "msr";
        if (ruleId.startsWith("beh.gpu.")) return "gpu";
        if (ruleId.startsWith("beh.net.")) return "network";
        return "weak";
    }
}
