package io.assay.agent.hardware.nvidiasmi;

import static java.util.Objects.requireNonNull;

import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.sample.Reading;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * NVIDIA GPUs through {@code nvidia-smi --query-gpu … --format=csv}: the fallback for hosts where
 * NVML cannot be loaded through JNA (for example a JVM whose temporary directory is mounted
 * {@code noexec}, so JNA's own native stub cannot load), since nvidia-smi reads the same driver.
 * Fewer figures than NVML (no energy counter, no per-process SM share); a process is spawned per
 * read, so it is only used when NVML is absent. Each run is bounded by a timeout and its output by
 * a byte limit.
 */
public final class NvidiaSmiSource {
    static final String GPU_FIELDS = "index,name,uuid,pci.bus_id,utilization.gpu,utilization.memory,memory.used,"
            + "memory.total,power.draw,clocks.sm,clocks.mem,temperature.gpu";
    private static final String SOURCE = "nvidia-smi";
    private static final int MAX_OUTPUT = 1 << 16;
    private static final long MIB = 1024L * 1024L;

    private final Path executable;
    private final Duration timeout;
    private final Clock clock;

    public NvidiaSmiSource(Path executable, Duration timeout, Clock clock) {
        this.executable = requireNonNull(executable, "executable");
        this.timeout = requireNonNull(timeout, "timeout");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Runs nvidia-smi twice (devices, then compute processes). Never throws. */
    public Reading<GpuSnapshot> read() {
        if (!Files.isExecutable(executable)) return Reading.absent(SOURCE, executable + " not found or not executable");
        try {
            List<Gpu> gpus = parseGpus(run("--query-gpu=" + GPU_FIELDS, "--format=csv,noheader,nounits"));
            if (gpus.isEmpty()) return Reading.absent(SOURCE, "nvidia-smi lists no GPU");
            List<String> notes = new ArrayList<>();
            List<GpuProcessUse> processes = List.of();
            try {
                processes = parseComputeApps(run("--query-compute-apps=gpu_uuid,pid,used_memory", "--format=csv,noheader,nounits"));
            } catch (IOException e) {
                notes.add("nvidia-smi --query-compute-apps failed: " + e.getMessage());
            }
            return Reading.present(SOURCE, new GpuSnapshot(SOURCE, clock.instant(), gpus, processes, notes));
        } catch (IOException e) {
            return Reading.absent(SOURCE, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reading.absent(SOURCE, "interrupted while waiting for nvidia-smi");
        }
    }

    private List<String> run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(executable.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Wait first, read after: the answer (under 2 KB for 8 GPUs) fits the pipe's buffer, and a
        // hung nvidia-smi (a GPU fallen off the bus) must not hold the sampling thread.
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("nvidia-smi did not finish within " + timeout.toMillis() + " ms");
        }
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readNBytes(MAX_OUTPUT);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("nvidia-smi exited with " + p.exitValue() + ": " + text.lines().findFirst().orElse("").trim());
        }
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Parses {@code --query-gpu=}{@link #GPU_FIELDS}{@code --format=csv,noheader,nounits} lines. */
    static List<Gpu> parseGpus(List<String> lines) {
        List<Gpu> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",\\s*", -1);
            if (f.length != 12) continue; // not the shape asked for: a warning line, skip it
            Map<GpuMetric, Long> values = new EnumMap<>(GpuMetric.class);
            Map<GpuMetric, String> missing = new EnumMap<>(GpuMetric.class);
            figure(values, missing, GpuMetric.GPU_UTIL_PERCENT, f[4], 1);
            figure(values, missing, GpuMetric.MEM_UTIL_PERCENT, f[5], 1);
            figure(values, missing, GpuMetric.MEM_USED_BYTES, f[6], MIB);
            figure(values, missing, GpuMetric.MEM_TOTAL_BYTES, f[7], MIB);
            figure(values, missing, GpuMetric.POWER_MILLIWATTS, f[8], 1000);
            figure(values, missing, GpuMetric.SM_CLOCK_MHZ, f[9], 1);
            figure(values, missing, GpuMetric.MEM_CLOCK_MHZ, f[10], 1);
            figure(values, missing, GpuMetric.TEMPERATURE_CELSIUS, f[11], 1);
            for (GpuMetric m : List.of(GpuMetric.ENERGY_MILLIJOULES, GpuMetric.ENCODER_UTIL_PERCENT, GpuMetric.DECODER_UTIL_PERCENT)) {
                missing.put(m, "not read through nvidia-smi");
            }
            int index;
            try {
                index = Integer.parseInt(f[0].trim());
            } catch (NumberFormatException e) {
                continue;
            }
            out.add(new Gpu(SOURCE, index, f[1].trim(), f[2].trim(), f[3].trim(), values, missing));
        }
        return out;
    }

    /** Parses {@code --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits} lines. */
    static List<GpuProcessUse> parseComputeApps(List<String> lines) {
        List<GpuProcessUse> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",\\s*", -1);
            if (f.length != 3) continue;
            try {
                int pid = Integer.parseInt(f[1].trim());
                OptionalLong mem = number(f[2]) ? OptionalLong.of(Math.round(Double.parseDouble(f[2].trim()) * MIB)) : OptionalLong.empty();
                out.add(new GpuProcessUse(f[0].trim(), pid, GpuProcessUse.Kind.COMPUTE, mem,
                        OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
            } catch (NumberFormatException e) {
                // "[No data]" style lines carry no process
            }
        }
        return out;
    }

    private static void figure(Map<GpuMetric, Long> values, Map<GpuMetric, String> missing, GpuMetric m, String field, long scale) {
        String v = field.trim();
        if (number(v)) values.put(m, Math.round(Double.parseDouble(v) * scale));
        else missing.put(m, v.isEmpty() ? "empty" : v); // "[N/A]", "[Not Supported]": nvidia-smi's own words
    }

    private static boolean number(String s) {
        return s.trim().matches("\\d+(\\.\\d+)?");
    }
}
