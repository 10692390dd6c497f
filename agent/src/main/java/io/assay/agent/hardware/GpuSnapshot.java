package io.assay.agent.hardware;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What one GPU source saw at one instant: its devices, and the processes using them.
 *
 * @param notes what the source could see only in part (a call that failed for one device), one line each
 */
public record GpuSnapshot(String source, Instant at, List<Gpu> gpus, List<GpuProcessUse> processes, List<String> notes) {
    public GpuSnapshot {
        requireNonNull(source, "source");
        requireNonNull(at, "at");
        gpus = List.copyOf(gpus);
        processes = List.copyOf(processes);
        notes = List.copyOf(notes);
    }
}
