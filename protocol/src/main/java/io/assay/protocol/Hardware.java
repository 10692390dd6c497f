package io.assay.protocol;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a report window saw of the hardware mining runs on, and the energy the host drew: GPUs and
 * the processes using them, ASIC miners (USB devices, cgminer-style APIs), and joules and average
 * watts per energy source. A source the host lacks, or the agent could not read, is listed in
 * {@code absent} with why (in full in an agent's first window and every 60th; in between only
 * absences that are new or changed, to keep reports small); a figure a source could not read is
 * left out of its map (never a zero), and its {@code missing} map says why.
 *
 * <p>Reports from agents before this section parse with {@link #NONE}: every list may be absent
 * from the JSON.
 */
public record Hardware(List<Gpu> gpus, List<GpuProcess> gpuProcesses, List<Asic> asic, List<Energy> energy, List<Absent> absent) {
    public static final Hardware NONE = new Hardware(List.of(), List.of(), List.of(), List.of(), List.of());

    public Hardware {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        gpuProcesses = gpuProcesses == null ? List.of() : List.copyOf(gpuProcesses);
        asic = asic == null ? List.of() : List.copyOf(asic);
        energy = energy == null ? List.of() : List.copyOf(energy);
        absent = absent == null ? List.of() : List.copyOf(absent);
    }

    /**
     * One GPU over the window.
     *
     * @param source {@code nvml}, {@code nvidia-smi} or {@code amdgpu}
     * @param id the device's UUID, or source and PCI address where it has none
     * @param samples how many sample ticks read it
     * @param avg window averages by figure name (e.g. {@code gpuUtilPercent}, {@code powerMilliwatts}), units in the names
     * @param max window maxima by figure name
     * @param missing figures not read, with why
     */
    public record Gpu(String source, String id, String name, String pciBusId, int samples, Map<String, Double> avg,
            Map<String, Double> max, Map<String, String> missing) {
        public Gpu {
            requireNonNull(source, "source");
            requireNonNull(id, "id");
            requireNonNull(name, "name");
            requireNonNull(pciBusId, "pciBusId");
            avg = avg == null ? Map.of() : copy(avg);
            max = max == null ? Map.of() : copy(max);
            missing = missing == null ? Map.of() : copy(missing);
        }
    }

    /**
     * One process's use of one GPU over the window.
     *
     * @param gpu {@link Gpu#id()} of the device
     * @param kind {@code COMPUTE}, {@code GRAPHICS}, {@code COMPUTE_AND_GRAPHICS} or {@code SAMPLED_ONLY}
     * @param samples ticks the process was seen on the device
     * @param figures what was measured: {@code maxMemoryBytes}, {@code avgSmUtilPercent},
     *     {@code avgEncoderUtilPercent}, {@code avgDecoderUtilPercent}; absent keys were not reported by the driver
     * @param libraries GPU-relevant libraries the process had loaded (ML, rendering, video, CUDA/OpenCL), base names
     */
    public record GpuProcess(String gpu, int pid, String processName, String kind, int samples, Map<String, Double> figures,
            List<String> libraries) {
        public GpuProcess {
            requireNonNull(gpu, "gpu");
            requireNonNull(processName, "processName");
            requireNonNull(kind, "kind");
            figures = figures == null ? Map.of() : copy(figures);
            libraries = libraries == null ? List.of() : List.copyOf(libraries);
        }
    }

    /**
     * A miner device or miner API seen in the window.
     *
     * @param source {@code usb} or {@code cgminer-api}
     * @param where the USB bus path ({@code 1-1.2}) or the API's endpoint ({@code 127.0.0.1:4028})
     * @param name what it is: the rules' name for a USB ID, the API's own description
     * @param strong false for generic USB-serial bridges (corroborating only)
     * @param hashRateMhs the API's average hash rate in MH/s; 0 for USB devices
     * @param devices hashing devices the API listed; 0 for USB devices
     * @param pools pool URLs the API listed
     */
    public record Asic(String source, String where, String name, boolean strong, double hashRateMhs, int devices, List<String> pools) {
        public Asic {
            requireNonNull(source, "source");
            requireNonNull(where, "where");
            requireNonNull(name, "name");
            pools = pools == null ? List.of() : List.copyOf(pools);
        }
    }

    /**
     * Energy one source drew over the part of the window it was measured in.
     *
     * @param source {@code rapl:package-0}, {@code rapl:package-0/dram}, {@code gpu:GPU-…}
     * @param measuredMs how much of the window the figure covers
     * @param method {@code counter} (an energy counter's difference) or {@code power} (power samples integrated)
     */
    public record Energy(String source, double joules, double avgWatts, long measuredMs, String method) {
        public Energy {
            requireNonNull(source, "source");
            requireNonNull(method, "method");
            if (joules < 0 || measuredMs < 0) throw new IllegalArgumentException("energy figures must be >= 0");
        }
    }

    /** A hardware or energy source that gave nothing in the window, and why. */
    public record Absent(String source, String why) {
        public Absent {
            requireNonNull(source, "source");
            requireNonNull(why, "why");
        }
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m)); // order kept: reports read top-down
    }
}
