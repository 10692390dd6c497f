package io.assay.agent.detect;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The verdict of each process in a window, by the same combination rules as the host's (see the
 * package documentation), without the host-wide and degradation parts. For tables and tests.
 */
public final class ProcessVerdicts {
    private ProcessVerdicts() {}

    /** pid → verdict for every pid that has findings, in order of first appearance. */
    public static Map<Integer, Verdict> of(List<Finding> findings) {
        Map<Integer, List<Finding>> byPid = new LinkedHashMap<>();
        for (Finding f : findings) if (f.pid() != 0) byPid.computeIfAbsent(f.pid(), k -> new ArrayList<>()).add(f);
        Map<Integer, Verdict> out = new LinkedHashMap<>();
        byPid.forEach((pid, fs) -> out.put(pid, judge(fs)));
        return out;
    }

    /** The verdict of one process's findings. */
    public static Verdict judge(List<Finding> fs) {
        if (fs.stream().anyMatch(f -> f.kind() == Finding.Kind.SIGNATURE)) return Verdict.MINING;
        Set<String> groups = new TreeSet<>();
        boolean any = false;
        for (Finding f : fs) {
            if (f.kind() != Finding.Kind.BEHAVIOUR || f.isAllowlisted()) continue;
            any |= countsAsSuspect(f, fs);
            String g = HostDetector.groupOf(f.ruleId());
            if (!g.equals("weak") && !g.equals("network")) groups.add(g);
        }
        boolean resource = groups.contains("load") || groups.contains("memory") || groups.contains("msr");
        if (groups.size() >= 2 && resource) return Verdict.MINING;
        return any ? Verdict.SUSPECT : Verdict.CLEAN;
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
}
