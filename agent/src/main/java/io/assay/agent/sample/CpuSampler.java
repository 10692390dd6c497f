package io.assay.agent.sample;

import static java.util.Objects.requireNonNull;

import io.assay.agent.evidence.ProcParsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Host CPU load between this sample's ticks and the previous one's, from the first {@code cpu}
 * line of {@code /proc/stat}, computed as OSHI's {@code getSystemCpuLoadBetweenTicks} computes it:
 * busy is everything but idle and iowait, over user..steal. Read directly rather than through OSHI:
 * creating OSHI's {@code SystemInfo} and processor for this one number loaded ~870 classes (JNA
 * included) and cost the agent ~16 MB of RSS.
 */
public final class CpuSampler implements Sampler<CpuLoad> {
    private final Path procStat;
    private Optional<ProcParsers.CpuTimes> previous;

    /** @param procRoot where procfs is mounted ({@code /proc}); tests point it at a recorded tree */
    public CpuSampler(Path procRoot) {
        this.procStat = requireNonNull(procRoot, "procRoot").resolve("stat");
        this.previous = ticks();
    }

    @Override
    public String source() {
        return "cpu";
    }

    @Override
    public CpuLoad read() {
        Optional<ProcParsers.CpuTimes> now = ticks();
        if (now.isEmpty()) throw new IllegalStateException("cannot read CPU ticks from " + procStat);
        Optional<ProcParsers.CpuTimes> before = previous;
        previous = now;
        if (before.isEmpty()) throw new IllegalStateException("no earlier CPU ticks from " + procStat + " to compare with");
        long total = now.get().total() - before.get().total();
        long idle = now.get().idle() - before.get().idle();
        double load = total > 0 ? (double) (total - idle) / total : 0;
        return new CpuLoad(Math.max(0, Math.min(100.0, load * 100.0)));
    }

    private Optional<ProcParsers.CpuTimes> ticks() {
        try {
            return ProcParsers.parseCpuTimes(Files.readAllLines(procStat));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
