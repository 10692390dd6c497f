package io.assay.agent.detect;

import io.assay.agent.detect.judge.CloserLook;
import io.assay.agent.detect.judge.Judge;
import io.assay.agent.detect.judge.SourceNote;
import io.assay.agent.detect.judge.Tick;
import io.assay.agent.detect.judge.Window;
import io.assay.agent.evidence.ProcessListing;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The detector for a Linux host, wired one way: {@link HostSources} read the host (under injectable
 * roots) into immutable observations, the pure {@link Judge} turns them and the {@link Rules} into
 * findings and a verdict, with its state in one {@link Window}. This class only passes data along,
 * and reloads rules and allowlist between windows.
 *
 * <p>Used by one thread at a time (the agent's sampling thread, or the exec-event thread while it
 * holds the sample job's lock: see {@code SampleJob}). Never throws for host state:
 * {@link #observe}, {@link #observeNew} and {@link #closeWindow} degrade the window instead.
 */
public final class HostDetector implements Detector {
    /** Filesystem roots; tests point them at recorded trees. */
    public record Roots(Path proc, Path sys, Path etc) {
        public static Roots system() {
            return new Roots(Path.of("/proc"), Path.of("/sys"), Path.of("/etc"));
        }
    }

    private final RuleSource source;
    private final HostSources sources;
    private final HardwareSources hardware;
    private Window window = new Window();
    private final List<SourceNote> errors = new ArrayList<>();
    private Judge judge;
    private String activeRulesHash;
    private Supplier<List<String>> windowNotes = List::of;

    public HostDetector(Roots roots, RuleSource source) {
        this(roots, source, HardwareSources.Settings.system());
    }

    /** @param hardwareSettings where the GPU, ASIC and energy sources look (tests: a fake NVML, another port) */
    public HostDetector(Roots roots, RuleSource source, HardwareSources.Settings hardwareSettings) {
        this.source = source;
        this.judge = new Judge(source.rules());
        this.activeRulesHash = source.rulesHash();
        this.sources = new HostSources(roots, judge.rules());
        this.hardware = new HardwareSources(roots.proc(), roots.sys(), judge.rules(), hardwareSettings);
    }

    @Override
    public String rulesHash() {
        return source.rulesHash();
    }

    @Override
    public String allowlistHash() {
        return source.allowlistHash();
    }

    /** Rules in force (for the CLI and tests). */
    public Rules rules() {
        return judge.rules();
    }

    /** Bytes of executables read since start (the cost benchmark's number). */
    public long exeBytesRead() {
        return sources.exeBytesRead();
    }

    /** Bytes of /proc, /sys, /etc and config files read since start. */
    public long procBytesRead() {
        return sources.procBytesRead();
    }

    /**
     * The processes read by the latest {@link #observe}, as the {@code /proc} listing shows them
     * (processes found hidden from the listing are not in it); empty before the first observe and
     * when the listing failed.
     */
    public ProcessListing lastListing() {
        return sources.lastListing();
    }

    /** Sheds or restores the content scans ({@link HostSources#shedContentScans}); thread-safe, for the self-watch. */
    public void shedContentScans(boolean shed) {
        sources.shedContentScans(shed);
    }

    /** The agent's effective uid as the sources see it; -1 when unknown. */
    int effectiveUid() {
        return sources.effectiveUid();
    }

    @Override
    public List<Finding> observe(Instant now) {
        try {
            Tick tick = sources.read(now);
            List<Finding> urgent = new ArrayList<>(judge.observe(window, tick));
            urgent.addAll(judge.observeHardware(window, tick, hardware.read(now)));
            Set<ProcessSnapshot.Key> inQuestion = judge.inQuestion(window);
            // called even with none in question: samples already running are read to their end
            CloserLook look = sources.lookCloser(now, inQuestion);
            urgent.addAll(judge.observeCloser(window, look));
            return urgent;
        } catch (RuntimeException e) {
            // a bug or an unexpected kernel format must not stop the agent: say so in the report
            errors.add(SourceNote.degrading("detector error while observing: " + e + "; this window's evidence is incomplete"));
            return List.of();
        }
    }

    @Override
    public List<Finding> observeNew(Instant now, Set<Integer> pids) {
        try {
            return judge.observeNew(window, sources.readNew(now, pids));
        } catch (RuntimeException e) {
            errors.add(SourceNote.degrading("detector error while looking at new processes: " + e
                    + "; this window's evidence is incomplete"));
            return List.of();
        }
    }

    /**
     * Adds informational notes to every window from now on, asked for at each close (the exec
     * events say there whether they work and what they could not look at). Replaces an earlier one.
     */
    public void noteEachWindow(Supplier<List<String>> notes) {
        this.windowNotes = java.util.Objects.requireNonNull(notes, "notes");
    }

    /** Payload bytes the traffic samples saw, and connections sampled, since start (the bench's cost figures). */
    public long wireBytesSeen() {
        return sources.wireBytesSeen();
    }

    public int wireFlowsSampled() {
        return sources.wireFlowsSampled();
    }

    /** CPU time of the traffic samples that finished (their own threads). */
    public long wireCpuNanos() {
        return sources.wireCpuNanos();
    }

    /** Bytes of process memory read, and CPU spent scanning it, since start (the bench's cost figures). */
    public long memoryBytesRead() {
        return sources.memoryBytesRead();
    }

    public long memoryCpuNanos() {
        return sources.memoryCpuNanos();
    }

    @Override
    public void close() {
        sources.close();
        hardware.close(); // releases NVML
    }

    @Override
    public Assessment closeWindow(Instant now) {
        Assessment a;
        try {
            List<Integer> hidden = sources.walkHiddenPids();
            List<SourceNote> notes = new ArrayList<>(errors);
            notes.addAll(sources.closeWindow());
            for (String n : source.notes()) notes.add(SourceNote.informational(n));
            for (String n : windowNotes.get()) notes.add(SourceNote.informational(n));
            Map<Integer, String> names = new HashMap<>();
            for (ProcessSnapshot s : sources.lastListing().processes()) names.put(s.pid(), s.comm());
            Hardware hw = hardware.closeWindow(names);
            a = judge.close(window, now, hidden, source.allowlist(), source.allowlistPath().map(Path::toString).orElse(""), notes)
                    .withHardware(hw);
        } catch (RuntimeException e) {
            a = new Assessment(Verdict.DEGRADED, List.of(),
                    List.of("detector error while closing the window: " + e + "; the verdict could not be reached"));
            window = new Window(); // what it held may be inconsistent: start over
        }
        errors.clear();
        source.refresh();
        if (!source.rulesHash().equals(activeRulesHash)) {
            activeRulesHash = source.rulesHash();
            judge = new Judge(source.rules());
            sources.useRules(judge.rules());
            hardware.useRules(judge.rules());
            window.rulesChanged();
        }
        return a;
    }
}
