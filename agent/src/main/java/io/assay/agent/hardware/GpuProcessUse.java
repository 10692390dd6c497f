package io.assay.agent.hardware;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One process's use of one GPU at one instant: it holds a context there (compute or graphics), and,
 * where the driver sampled it, how much of the SMs, memory bandwidth, encoder and decoder it used.
 *
 * @param gpuKey {@link Gpu#key()} of the device
 * @param usedMemoryBytes device memory the process holds; empty where the driver does not say
 *     (NVML reports "not available" under some virtualisation and for other users' processes)
 * @param smUtilPercent SM share from the driver's per-process samples; empty when the driver had no
 *     sample of this process in the interval (an idle context has none)
 */
public record GpuProcessUse(String gpuKey, int pid, Kind kind, OptionalLong usedMemoryBytes, OptionalInt smUtilPercent,
        OptionalInt memUtilPercent, OptionalInt encoderUtilPercent, OptionalInt decoderUtilPercent) {

    /**
     * What kind of context the process holds: {@code SAMPLED_ONLY} when the driver sampled its use but
     * listed no context of it (a process that exited between the two calls, or whose context the
     * driver hides, e.g. in another container's namespace).
     */
    public enum Kind { COMPUTE, GRAPHICS, COMPUTE_AND_GRAPHICS, SAMPLED_ONLY }

    public GpuProcessUse {
        requireNonNull(gpuKey, "gpuKey");
        requireNonNull(kind, "kind");
        requireNonNull(usedMemoryBytes, "usedMemoryBytes");
        requireNonNull(smUtilPercent, "smUtilPercent");
        requireNonNull(memUtilPercent, "memUtilPercent");
        requireNonNull(encoderUtilPercent, "encoderUtilPercent");
        requireNonNull(decoderUtilPercent, "decoderUtilPercent");
    }
}
