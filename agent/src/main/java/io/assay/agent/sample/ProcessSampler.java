package io.assay.agent.sample;

import static java.util.Objects.requireNonNull;

import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessListing;
import io.assay.agent.evidence.ProcessSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * All processes with their CPU share since the previous sample, taken from the detector's
 * {@code /proc} listing of the same tick (see the package documentation for why not OSHI). The
 * share is computed as OSHI computed it: CPU time between this sample and the previous one over
 * the wall time between them, or, for a process first seen now, its lifetime average.
 */
public final class ProcessSampler implements Sampler<List<ProcessObservation>> {
    private final Supplier<ProcessListing> listing;
    private final UserNames users;
    private Map<ProcessSnapshot.Key, Long> previousCpuMs = Map.of();
    private long previousAtMs;

    /** @param listing the processes the detector read on the current tick (read after it observed) */
    public ProcessSampler(Supplier<ProcessListing> listing, UserNames users) {
        this.listing = requireNonNull(listing, "listing");
        this.users = requireNonNull(users, "users");
    }

    @Override
    public String source() {
        return "processes";
    }

    @Override
    public List<ProcessObservation> read() {
        ProcessListing l = listing.get();
        if (l.processes().isEmpty()) throw new IllegalStateException("no processes listed under /proc on this tick");
        long nowMs = l.at().toEpochMilli();
        long elapsedMs = nowMs - previousAtMs;
        Map<ProcessSnapshot.Key, Long> current = new HashMap<>(l.processes().size() * 2);
        List<ProcessObservation> out = new ArrayList<>(l.processes().size());
        for (ProcessSnapshot s : l.processes()) {
            long cpuMs = s.cpuTicks() * 1000 / ProcParsers.TICKS_PER_SECOND;
            long startMs = l.bootTimeSeconds() == 0 ? 0
                    : l.bootTimeSeconds() * 1000 + s.startTicks() * 1000 / ProcParsers.TICKS_PER_SECOND;
            Long prior = previousCpuMs.get(s.key());
            double share;
            if (prior != null && elapsedMs > 0) {
                share = Math.max(0, cpuMs - prior) / (double) elapsedMs;
            } else {
                long upMs = nowMs - startMs;
                share = startMs > 0 && upMs > 0 ? cpuMs / (double) upMs : 0;
            }
            current.put(s.key(), cpuMs);
            out.add(new ProcessObservation(s.pid(), s.comm(), s.exePath(), s.commandLine(), users.of(s),
                    share * 100.0, s.rssBytes(), startMs));
        }
        previousCpuMs = current;
        previousAtMs = nowMs;
        return out;
    }
}
