package io.assay.agent.sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * All processes with their CPU share since the previous sample, using OSHI's per-process ticks.
 * Listing every process is the agent's main cost, so the sampler keeps only what the next sample
 * needs (the previous {@link OSProcess} per pid) and caches each process's command line, which
 * never changes after exec for our purposes, by (pid, start time).
 */
public final class ProcessSampler implements Sampler<List<ProcessObservation>> {
    private final OperatingSystem os;
    private Map<Integer, OSProcess> previous = Map.of();
    private Map<Long, String> commandLines = new HashMap<>();

    public ProcessSampler(OperatingSystem os) {
        this.os = os;
    }

    @Override
    public String source() {
        return "processes";
    }

    @Override
    public List<ProcessObservation> read() {
        List<OSProcess> processes = os.getProcesses();
        if (processes.isEmpty()) throw new IllegalStateException("OSHI listed no processes");
        Map<Integer, OSProcess> current = new HashMap<>(processes.size() * 2);
        Map<Long, String> cmdCache = new HashMap<>(processes.size() * 2);
        List<ProcessObservation> out = new ArrayList<>(processes.size());
        for (OSProcess p : processes) {
            OSProcess prior = previous.get(p.getProcessID());
            // OSHI compares start times itself and falls back to the lifetime average for new pids.
            double share = p.getProcessCpuLoadBetweenTicks(prior);
            long start = p.getStartTime();
            long key = (start << 22) ^ p.getProcessID();
            String cmd = commandLines.get(key);
            if (cmd == null) cmd = safe(p.getCommandLine());
            cmdCache.put(key, cmd);
            out.add(new ProcessObservation(p.getProcessID(), safe(p.getName()), safe(p.getPath()), cmd,
                    safe(p.getUser()), Double.isFinite(share) ? share * 100.0 : 0, Math.max(0, p.getResidentSetSize()),
                    Math.max(0, start)));
            current.put(p.getProcessID(), p);
        }
        previous = current;
        commandLines = cmdCache;
        return out;
    }

    private static String safe(String s) {
        return s == null ? "" : s;
    }
}
