package io.assay.agent.report;

import static java.util.Objects.requireNonNull;

import io.assay.agent.detect.Assessment;
import io.assay.agent.detect.Detector;
import io.assay.agent.detect.judge.Verdicts;
import io.assay.agent.sample.CpuLoad;
import io.assay.agent.sample.ExecutableHasher;
import io.assay.agent.sample.ProcessObservation;
import io.assay.agent.sample.Reading;
import io.assay.protocol.Finding;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.ProcessSample;
import io.assay.protocol.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Accumulates the samples of one report window and builds its {@link ReportDraft} when the window
 * closes. A window closes when it is due ({@link #isDue}) or at once when the detector's
 * {@code observe} returns findings (the fast path: a miner is reported now, not at the window's
 * end). Confined to the sampling thread, like the {@link Detector} it drives.
 */
public final class WindowAssembler {
    private final Detector detector;
    private final ExecutableHasher hasher;
    private final AgentInfo agent;
    private final Duration window;
    private final int topN;

    private Instant windowStart;
    private double cpuSum;
    private double cpuMax;
    private int cpuSamples;
    private int processSamples;
    /** Per process over the window, keyed by {@link ProcessObservation#identity()}. */
    private Map<Long, ProcessTotals> processes = new HashMap<>();
    /** Absent readings of this window: "source: reason" to how many times. */
    private final Map<String, Integer> failures = new LinkedHashMap<>();

    private static final class ProcessTotals {
        ProcessObservation last;
        double cpuSum;

        ProcessTotals(ProcessObservation first) {
            this.last = first;
        }
    }

    /** What a sample tick produced: the fast-path findings, and the draft if the window closed. */
    public record TickResult(List<Finding> urgentFindings, java.util.Optional<ReportDraft> closed) {
        public TickResult {
            urgentFindings = List.copyOf(urgentFindings);
            requireNonNull(closed, "closed");
        }
    }

    public WindowAssembler(Detector detector, ExecutableHasher hasher, AgentInfo agent, Duration window, int topN,
            Instant windowStart) {
        this.detector = requireNonNull(detector, "detector");
        this.hasher = requireNonNull(hasher, "hasher");
        this.agent = requireNonNull(agent, "agent");
        this.window = requireNonNull(window, "window");
        if (topN < 1) throw new IllegalArgumentException("topN must be >= 1");
        this.topN = topN;
        this.windowStart = requireNonNull(windowStart, "windowStart");
    }

    public Instant windowStart() {
        return windowStart;
    }

    /**
     * Adds one tick's readings, asks the detector to observe, and closes the window when the
     * detector reported urgent findings or the window is due at {@code now}.
     */
    public TickResult tick(Instant now, Reading<CpuLoad> cpu, Reading<List<ProcessObservation>> procs) {
        add(cpu, procs);
        return closeIfDue(now, observe(now));
    }

    /**
     * As {@link #tick(Instant, Reading, Reading)}, reading the processes after the detector has
     * observed: the agent's process sampler takes its listing from the detector's {@code /proc} read
     * of this tick instead of listing every process a second time.
     */
    public TickResult tick(Instant now, Reading<CpuLoad> cpu, Supplier<Reading<List<ProcessObservation>>> procs) {
        addCpu(cpu);
        List<Finding> urgent = observe(now);
        addProcesses(procs.get());
        return closeIfDue(now, urgent);
    }

    /**
     * Asks the detector to look at processes that exec'd a moment ago (between ticks) and closes the
     * window at once when that look found urgent findings, as a tick does; the window is not closed
     * for being due (ticks do that). Adds no samples to the window.
     */
    public TickResult lookAtNew(Instant now, Set<Integer> pids) {
        List<Finding> urgent;
        try {
            urgent = detector.observeNew(now, pids);
        } catch (RuntimeException e) {
            failures.merge("detector: " + e, 1, Integer::sum);
            urgent = List.of();
        }
        if (urgent.isEmpty()) return new TickResult(urgent, java.util.Optional.empty());
        return new TickResult(urgent, java.util.Optional.of(close(now)));
    }

    private TickResult closeIfDue(Instant now, List<Finding> urgent) {
        if (!urgent.isEmpty() || isDue(now)) {
            return new TickResult(urgent, java.util.Optional.of(close(now)));
        }
        return new TickResult(urgent, java.util.Optional.empty());
    }

    /** Adds readings to the current window. */
    public void add(Reading<CpuLoad> cpu, Reading<List<ProcessObservation>> procs) {
        addCpu(cpu);
        addProcesses(procs);
    }

    private void addCpu(Reading<CpuLoad> cpu) {
        if (cpu instanceof Reading.Present<CpuLoad> p) {
            cpuSum += p.value().percent();
            cpuMax = Math.max(cpuMax, p.value().percent());
            cpuSamples++;
        } else if (cpu instanceof Reading.Absent<CpuLoad> a) {
            failures.merge(a.source() + ": " + a.reason(), 1, Integer::sum);
        }
    }

    private void addProcesses(Reading<List<ProcessObservation>> procs) {
        if (procs instanceof Reading.Present<List<ProcessObservation>> p) {
            processSamples++;
            for (ProcessObservation o : p.value()) {
                ProcessTotals t = processes.computeIfAbsent(o.identity(), k -> new ProcessTotals(o));
                t.last = o;
                t.cpuSum += o.cpuPercent();
            }
        } else if (procs instanceof Reading.Absent<List<ProcessObservation>> a) {
            failures.merge(a.source() + ": " + a.reason(), 1, Integer::sum);
        }
    }

    /** Runs the detector's per-tick observation; a detector that throws degrades the window instead. */
    public List<Finding> observe(Instant now) {
        try {
            return detector.observe(now);
        } catch (RuntimeException e) {
            failures.merge("detector: " + e, 1, Integer::sum);
            return List.of();
        }
    }

    /**
     * True when the window has run its length, less a small tolerance: scheduler ticks land a few
     * milliseconds early or late, and without it a tick 2 ms early would stretch the window by a
     * whole sample interval.
     */
    public boolean isDue(Instant now) {
        // A clock stepped back would otherwise keep this window open until it caught up (an hour's
        // step: an hour without reports). Close it now; close() records the step.
        if (now.isBefore(windowStart)) return true;
        Duration tolerance = window.dividedBy(10);
        if (tolerance.compareTo(Duration.ofSeconds(1)) > 0) tolerance = Duration.ofSeconds(1);
        return !now.isBefore(windowStart.plus(window).minus(tolerance));
    }

    /**
     * Ends the window at {@code end} and starts the next one there. When the clock stepped back
     * before the window's start, the window ends where it started (reports stay well-formed), its
     * notes say so, and the next window starts at the new time: seq, not time, orders the chain.
     */
    public ReportDraft close(Instant end) {
        Instant next = end;
        String clockNote = "";
        if (end.isBefore(windowStart)) {
            clockNote = "clock stepped back from " + windowStart + " to " + end + " during this window";
            end = windowStart;
        }
        Assessment assessment;
        try {
            assessment = detector.closeWindow(end);
        } catch (RuntimeException e) {
            failures.merge("detector: " + e, 1, Integer::sum);
            assessment = new Assessment(Verdict.DEGRADED, List.of(), List.of());
        }
        List<String> notes = new ArrayList<>(assessment.notes());
        if (!clockNote.isEmpty()) notes.add(clockNote);
        failures.forEach((what, n) -> notes.add(what + (n > 1 ? " (" + n + " samples)" : "")));
        Verdict verdict = assessment.verdict();
        if (!failures.isEmpty()) verdict = Verdicts.degraded(verdict);

        LoadSummary load = cpuSamples == 0 ? LoadSummary.NONE
                : new LoadSummary(Math.min(100, cpuSum / cpuSamples), Math.min(100, cpuMax), cpuSamples);
        hasher.beginCycle();
        List<ProcessSample> top = top(processSamples);
        if (hasher.deferredThisCycle() > 0) {
            notes.add("exe hashes: " + hasher.deferredThisCycle()
                    + " executable(s) not hashed this window (hash.max.bytes.per.cycle reached)");
        }
        ReportDraft draft = new ReportDraft(windowStart.toEpochMilli(), end.toEpochMilli(), agent.version(),
                agent.startedMs(), detector.rulesHash(), detector.allowlistHash(), load, top,
                assessment.findings(), verdict, notes, assessment.hardware(), io.assay.agent.sample.HostAddresses.read());
        reset(next);
        return draft;
    }

    private List<ProcessSample> top(int samples) {
        if (samples == 0) return List.of();
        return processes.values().stream()
                .sorted(Comparator.comparingDouble((ProcessTotals t) -> t.cpuSum).reversed()
                        .thenComparingInt(t -> t.last.pid()))
                .limit(topN)
                .map(t -> {
                    ProcessObservation o = t.last;
                    // Average over the window's samples: a process seen in only some of them counts 0 in the others.
                    return new ProcessSample(o.pid(), o.name(), o.exePath(), o.commandLine(), o.user(),
                            t.cpuSum / samples, o.rssBytes(), o.startTimeMs(), hasher.hash(o.exePath()));
                })
                .toList();
    }

    private void reset(Instant start) {
        windowStart = start;
        cpuSum = 0;
        cpuMax = 0;
        cpuSamples = 0;
        processSamples = 0;
        processes = new HashMap<>();
        failures.clear();
    }
}
