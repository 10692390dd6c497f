package io.assay.agent.detect;

import io.assay.agent.detect.judge.MemoryScan;
import io.assay.agent.detect.judge.SourceNote;
import io.assay.agent.evidence.AhoCorasick;
import io.assay.agent.evidence.MemoryScanner;
import io.assay.agent.evidence.ProcessSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Scans the memory of processes in question ({@link MemoryScanner}) within the rules'
 * {@code sources.memory} byte and CPU budget per report window: each process at most once per
 * window, the smallest first (by resident memory), so one large process in question cannot starve
 * the others of the budget; what does not fit is scanned in a later window. Never a process that is
 * not in question, never the agent itself.
 *
 * <p>Confined to the sampling thread.
 */
final class MemorySource {
    private final Path procRoot;
    private final long selfPid = ProcessHandle.current().pid();
    private Rules.Sources cfg;
    private List<String> patterns = List.of();
    private MemoryScanner scanner;
    private final Set<ProcessSnapshot.Key> scannedThisWindow = new HashSet<>();
    private long windowBytes;
    private long windowCpuNanos;
    private int windowProcesses;
    private long totalBytes;
    private long totalCpuNanos;

    MemorySource(Path procRoot, Rules rules) {
        this.procRoot = procRoot;
        useRules(rules);
    }

    void useRules(Rules r) {
        cfg = r.sources();
        List<String> p = new ArrayList<>();
        for (Rules.BinaryString b : r.binaryStrings()) p.add(b.text());
        for (Rules.BinaryString b : r.stratum().memoryStrings()) p.add(b.text());
        patterns = List.copyOf(p);
        scanner = new MemoryScanner(new AhoCorasick(patterns));
    }

    long bytesRead() {
        return totalBytes;
    }

    long cpuNanos() {
        return totalCpuNanos;
    }

    List<MemoryScan> look(Set<ProcessSnapshot.Key> inQuestion, List<ProcessSnapshot> snaps, List<SourceNote> notes) {
        List<MemoryScan> out = new ArrayList<>();
        if (inQuestion.isEmpty()) return out;
        if (!cfg.memoryEnabled()) {
            notes.add(SourceNote.informational("memory scans are switched off (sources.memory.enabled): the memory of processes in"
                    + " question is not read"));
            return out;
        }
        long cpuBudget = cfg.memoryCpuMsPerWindow() * 1_000_000L;
        List<ProcessSnapshot> order = new ArrayList<>(snaps);
        order.sort(java.util.Comparator.comparingLong(ProcessSnapshot::rssBytes));
        for (ProcessSnapshot s : order) {
            if (!inQuestion.contains(s.key()) || s.pid() == selfPid || scannedThisWindow.contains(s.key())) {
                continue;
            }
            long bytesLeft = cfg.memoryBytesPerWindow() - windowBytes;
            long cpuLeft = cpuBudget - windowCpuNanos;
            if (bytesLeft <= 0 || cpuLeft <= 0) break; // the rest in the next window
            scannedThisWindow.add(s.key());
            MemoryScanner.Result r;
            try {
                r = scanner.scan(procRoot, s.pid(), bytesLeft, cpuLeft);
            } catch (IOException e) {
                if (e instanceof java.nio.file.AccessDeniedException) {
                    notes.add(SourceNote.degrading("cannot read the memory of process " + s.pid() + " (" + s.comm()
                            + "): permission denied; the agent needs CAP_SYS_PTRACE"));
                }
                continue; // gone meanwhile
            }
            windowBytes += r.bytesRead();
            windowCpuNanos += r.cpuNanos();
            totalBytes += r.bytesRead();
            totalCpuNanos += r.cpuNanos();
            windowProcesses++;
            BitSet f = r.found();
            Set<String> texts = new HashSet<>();
            for (int i = f.nextSetBit(0); i >= 0; i = f.nextSetBit(i + 1)) texts.add(patterns.get(i));
            out.add(new MemoryScan(s.key(), texts, r.walletCandidates(), r.bytesRead(), r.complete()));
        }
        return out;
    }

    /** Ends the window's budget; the note says what the scans cost against it. */
    List<SourceNote> closeWindow() {
        List<SourceNote> notes = new ArrayList<>();
        if (windowProcesses > 0) {
            notes.add(SourceNote.informational(String.format(Locale.ROOT,
                    "memory of %d process(es) in question scanned: %.1f MiB read, %d ms CPU (budget %d MiB and %d ms per window)",
                    windowProcesses, windowBytes / 1048576.0, windowCpuNanos / 1_000_000, cfg.memoryBytesPerWindow() >> 20,
                    cfg.memoryCpuMsPerWindow())));
        }
        windowBytes = 0;
        windowCpuNanos = 0;
        windowProcesses = 0;
        scannedThisWindow.clear();
        return notes;
    }
}
