package io.assay.agent.detect.judge;

import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.protocol.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The judge's only state: what it has accumulated about the current window, and what must outlive
 * a window (each process's previous CPU ticks, its static findings, which signatures were already
 * reported). Owned by the caller and passed to every {@link Judge} call, so the judge itself holds
 * nothing but its rules.
 *
 * <p>Not thread-safe: confined to the agent's sampling thread.
 */
public final class Window {
    /** Per process, over its lifetime. */
    static final class Proc {
        ProcessSnapshot snap;
        boolean analysed;
        String exeSha = "";
        long prevTicks = -1;
        long prevChildTicks;
        int intervals;
        int busyIntervals;
        double lastShare;
        long lastCycle;
        /** GPU use in this window: ticks seen on a GPU, ticks busy there, latest SM share, highest encoder/decoder share. */
        int gpuIntervals;
        int gpuBusyIntervals;
        int gpuLastSm;
        int gpuCodec;
        final List<Finding> sticky = new ArrayList<>();

        Proc(ProcessSnapshot snap) {
            this.snap = snap;
        }
    }

    final Map<ProcessSnapshot.Key, Proc> procs = new HashMap<>();
    final Map<String, Long> firstSeen = new HashMap<>();
    final Set<String> emitted = new HashSet<>();
    final LinkedHashMap<String, Finding> findings = new LinkedHashMap<>();
    final Set<String> notes = new LinkedHashSet<>();
    /** Config verdicts by file version: a config is checked on every tick, matched once per version. */
    final Map<String, List<String>> configVerdicts = new HashMap<>();
    boolean degraded;
    int observations;
    long cycle;
    Instant prevAt;
    Optional<ProcParsers.CpuTimes> prevCpu = Optional.empty();
    long busyTicks;
    long visibleTicks;
    double seconds;
    int hostIntervals;

    /**
     * New rules are in force: static findings are made again with them (the sources scan
     * executables again too).
     */
    public void rulesChanged() {
        for (Proc p : procs.values()) {
            p.analysed = false;
            p.sticky.clear();
        }
    }

    /** Starts the next window: per-window sums go, per-process history of live processes stays. */
    void reset() {
        findings.clear();
        notes.clear();
        degraded = false;
        observations = 0;
        busyTicks = 0;
        visibleTicks = 0;
        seconds = 0;
        hostIntervals = 0;
        var it = procs.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            Proc p = e.getValue();
            if (p.lastCycle != cycle) {
                it.remove();
                String suffix = "|" + e.getKey().pid() + "|" + e.getKey().startTicks();
                firstSeen.keySet().removeIf(k -> k.endsWith(suffix));
                emitted.removeIf(k -> k.endsWith(suffix));
            } else {
                p.intervals = 0;
                p.busyIntervals = 0;
                p.gpuIntervals = 0;
                p.gpuBusyIntervals = 0;
                p.gpuCodec = 0;
            }
        }
        if (configVerdicts.size() > 4096) configVerdicts.clear();
    }
}
