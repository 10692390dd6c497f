package io.assay.agent.hardware.nvml;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.sample.Reading;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.IntSupplier;

/**
 * NVIDIA GPUs through NVML ({@code libnvidia-ml.so.1}, the library {@code nvidia-smi} itself uses):
 * per device utilization, memory, power, energy counter, clocks, temperature, encoder and decoder
 * use; per process the contexts it holds and the driver's utilization samples since the last read.
 *
 * <p>Loaded lazily: nothing of JNA is touched until the host has the NVIDIA kernel module
 * ({@code /sys/module/nvidia}), so hosts without NVIDIA hardware pay neither the classes nor the
 * native library. A host without the library, or whose driver refuses to initialise, gets
 * {@link Reading.Absent} with the reason; a load that failed is retried after {@link #RETRY_LOAD}
 * (a driver installed later is found without a restart). A call failing for one device or one
 * metric leaves that metric missing with NVML's reason, the rest of the snapshot stands.
 *
 * <p>Not thread-safe: confined to the sampling thread, like every source. Holds the NVML
 * initialisation until {@link #close()}.
 */
public final class NvmlSource implements AutoCloseable {
    /** The file name the NVIDIA driver installs; the development symlink without {@code .1} is often absent. */
    public static final String LIBRARY = "libnvidia-ml.so.1";
    static final Duration RETRY_LOAD = Duration.ofMinutes(10);
    private static final String SOURCE = "nvml";
    private static final int PROCESS_INFO_SIZE = 24;
    private static final int UTIL_SAMPLE_SIZE = 32;
    private static final long NOT_AVAILABLE = -1L; // NVML_VALUE_NOT_AVAILABLE: (unsigned long long) -1
    private static final int CLOCK_SM = 1;
    private static final int CLOCK_MEM = 2;
    private static final int TEMPERATURE_GPU = 0;

    private final String library;
    private final Path sysRoot;
    private final Clock clock;
    private Optional<NvmlNative> nvml = Optional.empty();
    private boolean initialised;
    private Optional<Instant> retryLoadAt = Optional.empty();
    private String loadFailure = "";
    /** Per device UUID: the newest per-process sample timestamp already taken, so each read gets new samples only. */
    private final Map<String, Long> lastSampleUs = new HashMap<>();

    /**
     * @param library what to load: {@link #LIBRARY} (found by the dynamic linker as the driver installs it)
     *     or a path to a file
     * @param sysRoot where sysfs is mounted ({@code /sys}); the NVIDIA kernel module must show under
     *     {@code module/nvidia} before the library is loaded
     */
    public NvmlSource(String library, Path sysRoot, Clock clock) {
        this.library = requireNonNull(library, "library");
        this.sysRoot = requireNonNull(sysRoot, "sysRoot");
        this.clock = requireNonNull(clock, "clock");
    }

    /** NVML on this host: the driver's library, {@code /sys}, the system clock. */
    public static NvmlSource onThisHost() {
        return new NvmlSource(LIBRARY, Path.of("/sys"), Clock.systemUTC());
    }

    /** Reads every device once. Never throws. */
    public Reading<GpuSnapshot> read() {
        Optional<String> why = ensureInitialised();
        if (why.isPresent()) return Reading.absent(SOURCE, why.get());
        NvmlNative n = nvml.orElseThrow();
        try {
            IntByReference count = new IntByReference();
            int r = n.nvmlDeviceGetCount_v2(count);
            if (r != NvmlReturn.SUCCESS) return Reading.absent(SOURCE, "nvmlDeviceGetCount_v2 failed: " + NvmlReturn.name(r));
            if (count.getValue() == 0) return Reading.absent(SOURCE, "NVML loaded, but the driver lists no GPU");
            List<Gpu> gpus = new ArrayList<>();
            List<GpuProcessUse> processes = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (int i = 0; i < count.getValue(); i++) {
                PointerByReference handle = new PointerByReference();
                r = n.nvmlDeviceGetHandleByIndex_v2(i, handle);
                if (r != NvmlReturn.SUCCESS) {
                    notes.add("GPU " + i + ": nvmlDeviceGetHandleByIndex_v2 failed: " + NvmlReturn.name(r));
                    continue;
                }
                Gpu gpu = device(n, i, handle.getValue());
                gpus.add(gpu);
                processes.addAll(processes(n, gpu, handle.getValue(), notes));
            }
            return Reading.present(SOURCE, new GpuSnapshot(SOURCE, clock.instant(), gpus, processes, notes));
        } catch (UnsatisfiedLinkError e) {
            return Reading.absent(SOURCE, "the NVML library lacks a required function: " + firstLine(e.getMessage()));
        }
    }

    private Optional<String> ensureInitialised() {
        if (initialised) return Optional.empty();
        if (nvml.isEmpty()) {
            if (retryLoadAt.isPresent() && clock.instant().isBefore(retryLoadAt.get())) return Optional.of(loadFailure);
            if (!Files.isDirectory(sysRoot.resolve("module/nvidia"))) {
                return failLoad("no NVIDIA kernel driver loaded (" + sysRoot.resolve("module/nvidia") + " missing)");
            }
            try {
                nvml = Optional.of(Native.load(library, NvmlNative.class));
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                return failLoad("cannot load " + library + ": " + firstLine(e.getMessage()));
            }
        }
        int r;
        try {
            r = nvml.get().nvmlInit_v2();
        } catch (UnsatisfiedLinkError e) {
            nvml = Optional.empty();
            return failLoad(library + " is not NVML (no nvmlInit_v2): " + firstLine(e.getMessage()));
        }
        // Init is retried on each read: a driver still loading answers DRIVER_NOT_LOADED for a while.
        if (r != NvmlReturn.SUCCESS) return Optional.of("nvmlInit_v2 failed: " + NvmlReturn.name(r));
        initialised = true;
        return Optional.empty();
    }

    private Optional<String> failLoad(String why) {
        loadFailure = why;
        retryLoadAt = Optional.of(clock.instant().plus(RETRY_LOAD));
        return Optional.of(why);
    }

    private Gpu device(NvmlNative n, int index, Pointer dev) {
        Map<GpuMetric, Long> values = new EnumMap<>(GpuMetric.class);
        Map<GpuMetric, String> missing = new EnumMap<>(GpuMetric.class);
        byte[] nameBuf = new byte[96];
        String name = call(() -> n.nvmlDeviceGetName(dev, nameBuf, nameBuf.length)) == NvmlReturn.SUCCESS ? cString(nameBuf) : "";
        byte[] uuidBuf = new byte[96];
        String uuid = call(() -> n.nvmlDeviceGetUUID(dev, uuidBuf, uuidBuf.length)) == NvmlReturn.SUCCESS ? cString(uuidBuf) : "";
        String pciBusId = "";
        try (Memory pci = new Memory(68)) {
            pci.clear();
            if (call(() -> n.nvmlDeviceGetPciInfo_v3(dev, pci)) == NvmlReturn.SUCCESS) pciBusId = cString(pci.getByteArray(36, 32));
        }
        try (Memory util = new Memory(8)) {
            int r = call(() -> n.nvmlDeviceGetUtilizationRates(dev, util));
            put(values, missing, GpuMetric.GPU_UTIL_PERCENT, r, () -> unsigned(util.getInt(0)));
            put(values, missing, GpuMetric.MEM_UTIL_PERCENT, r, () -> unsigned(util.getInt(4)));
        }
        try (Memory mem = new Memory(24)) {
            int r = call(() -> n.nvmlDeviceGetMemoryInfo(dev, mem));
            put(values, missing, GpuMetric.MEM_TOTAL_BYTES, r, () -> mem.getLong(0));
            put(values, missing, GpuMetric.MEM_USED_BYTES, r, () -> mem.getLong(16));
        }
        IntByReference i = new IntByReference();
        put(values, missing, GpuMetric.POWER_MILLIWATTS, call(() -> n.nvmlDeviceGetPowerUsage(dev, i)), () -> unsigned(i.getValue()));
        LongByReference l = new LongByReference();
        put(values, missing, GpuMetric.ENERGY_MILLIJOULES, call(() -> n.nvmlDeviceGetTotalEnergyConsumption(dev, l)), l::getValue);
        IntByReference sm = new IntByReference();
        put(values, missing, GpuMetric.SM_CLOCK_MHZ, call(() -> n.nvmlDeviceGetClockInfo(dev, CLOCK_SM, sm)), () -> unsigned(sm.getValue()));
        IntByReference mc = new IntByReference();
        put(values, missing, GpuMetric.MEM_CLOCK_MHZ, call(() -> n.nvmlDeviceGetClockInfo(dev, CLOCK_MEM, mc)), () -> unsigned(mc.getValue()));
        IntByReference t = new IntByReference();
        put(values, missing, GpuMetric.TEMPERATURE_CELSIUS, call(() -> n.nvmlDeviceGetTemperature(dev, TEMPERATURE_GPU, t)),
                () -> unsigned(t.getValue()));
        IntByReference enc = new IntByReference();
        put(values, missing, GpuMetric.ENCODER_UTIL_PERCENT, call(() -> n.nvmlDeviceGetEncoderUtilization(dev, enc, new IntByReference())),
                () -> unsigned(enc.getValue()));
        IntByReference dec = new IntByReference();
        put(values, missing, GpuMetric.DECODER_UTIL_PERCENT, call(() -> n.nvmlDeviceGetDecoderUtilization(dev, dec, new IntByReference())),
                () -> unsigned(dec.getValue()));
        return new Gpu(SOURCE, index, name, uuid, pciBusId, values, missing);
    }

    private List<GpuProcessUse> processes(NvmlNative n, Gpu gpu, Pointer dev, List<String> notes) {
        // Per pid, in first-seen order: which contexts, how much memory, the driver's samples.
        Map<Integer, GpuProcessUse.Kind> kinds = new LinkedHashMap<>();
        Map<Integer, Long> memory = new HashMap<>();
        contexts(n, gpu, dev, true, kinds, memory, notes);
        contexts(n, gpu, dev, false, kinds, memory, notes);
        Map<Integer, int[]> sampled = utilisation(n, gpu, dev, notes);
        for (Integer pid : sampled.keySet()) kinds.putIfAbsent(pid, GpuProcessUse.Kind.SAMPLED_ONLY);
        List<GpuProcessUse> out = new ArrayList<>();
        kinds.forEach((pid, kind) -> {
            Long mem = memory.get(pid);
            int[] s = sampled.get(pid); // sums of sm, mem, enc, dec and the sample count
            out.add(new GpuProcessUse(gpu.key(), pid, kind,
                    mem == null || mem == NOT_AVAILABLE ? OptionalLong.empty() : OptionalLong.of(mem),
                    avg(s, 0), avg(s, 1), avg(s, 2), avg(s, 3)));
        });
        return out;
    }

    private void contexts(NvmlNative n, Gpu gpu, Pointer dev, boolean compute, Map<Integer, GpuProcessUse.Kind> kinds,
            Map<Integer, Long> memory, List<String> notes) {
        String fn = compute ? "nvmlDeviceGetComputeRunningProcesses_v3" : "nvmlDeviceGetGraphicsRunningProcesses_v3";
        IntByReference count = new IntByReference(0);
        int r = compute ? call(() -> n.nvmlDeviceGetComputeRunningProcesses_v3(dev, count, Pointer.NULL))
                : call(() -> n.nvmlDeviceGetGraphicsRunningProcesses_v3(dev, count, Pointer.NULL));
        // Processes may start between the sizing call and the real one: room for a few more, two tries.
        for (int attempt = 0; r == NvmlReturn.INSUFFICIENT_SIZE && attempt < 2; attempt++) {
            int room = count.getValue() + 8;
            try (Memory infos = new Memory((long) room * PROCESS_INFO_SIZE)) {
                infos.clear();
                count.setValue(room);
                r = compute ? call(() -> n.nvmlDeviceGetComputeRunningProcesses_v3(dev, count, infos))
                        : call(() -> n.nvmlDeviceGetGraphicsRunningProcesses_v3(dev, count, infos));
                if (r == NvmlReturn.SUCCESS) {
                    for (int k = 0; k < Math.min(count.getValue(), room); k++) {
                        int pid = infos.getInt((long) k * PROCESS_INFO_SIZE);
                        long mem = infos.getLong((long) k * PROCESS_INFO_SIZE + 8);
                        GpuProcessUse.Kind kind = compute ? GpuProcessUse.Kind.COMPUTE : GpuProcessUse.Kind.GRAPHICS;
                        kinds.merge(pid, kind, (a, b) -> a == b ? a : GpuProcessUse.Kind.COMPUTE_AND_GRAPHICS);
                        if (mem != NOT_AVAILABLE) memory.merge(pid, mem, Long::sum);
                    }
                }
            }
        }
        if (r != NvmlReturn.SUCCESS) notes.add("GPU " + gpu.index() + ": " + fn + " failed: " + NvmlReturn.name(r));
    }

    /** Per pid: sums of sm, mem, enc, dec utilisation and the number of samples, since the previous read. */
    private Map<Integer, int[]> utilisation(NvmlNative n, Gpu gpu, Pointer dev, List<String> notes) {
        Map<Integer, int[]> out = new LinkedHashMap<>();
        long since = lastSampleUs.getOrDefault(gpu.key(), 0L);
        IntByReference count = new IntByReference(0);
        int r = call(() -> n.nvmlDeviceGetProcessUtilization(dev, Pointer.NULL, count, since));
        if (r == NvmlReturn.NOT_FOUND) return out; // no samples since the last read: no process used the GPU
        if (r != NvmlReturn.SUCCESS && r != NvmlReturn.INSUFFICIENT_SIZE) {
            notes.add("GPU " + gpu.index() + ": nvmlDeviceGetProcessUtilization failed: " + NvmlReturn.name(r));
            return out;
        }
        if (count.getValue() == 0) return out;
        int room = count.getValue() + 8;
        try (Memory samples = new Memory((long) room * UTIL_SAMPLE_SIZE)) {
            samples.clear();
            count.setValue(room);
            r = call(() -> n.nvmlDeviceGetProcessUtilization(dev, samples, count, since));
            if (r == NvmlReturn.NOT_FOUND) return out;
            if (r != NvmlReturn.SUCCESS) {
                notes.add("GPU " + gpu.index() + ": nvmlDeviceGetProcessUtilization failed: " + NvmlReturn.name(r));
                return out;
            }
            long newest = since;
            for (int k = 0; k < Math.min(count.getValue(), room); k++) {
                long base = (long) k * UTIL_SAMPLE_SIZE;
                int pid = samples.getInt(base);
                newest = Math.max(newest, samples.getLong(base + 8));
                int[] sums = out.computeIfAbsent(pid, p -> new int[5]);
                for (int f = 0; f < 4; f++) sums[f] += samples.getInt(base + 16 + 4L * f);
                sums[4]++;
            }
            lastSampleUs.put(gpu.key(), newest);
        }
        return out;
    }

    /**
     * Makes one NVML call; a function this driver's library lacks counts as NVML's own
     * {@code FUNCTION_NOT_FOUND}, so an old driver loses that metric, not the snapshot.
     */
    private static int call(IntSupplier c) {
        try {
            return c.getAsInt();
        } catch (UnsatisfiedLinkError e) {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
    }

    private static OptionalInt avg(int[] sums, int field) {
        return sums == null || sums[4] == 0 ? OptionalInt.empty() : OptionalInt.of(Math.round((float) sums[field] / sums[4]));
    }

    private interface LongValue {
        long get();
    }

    private static void put(Map<GpuMetric, Long> values, Map<GpuMetric, String> missing, GpuMetric m, int r, LongValue v) {
        if (r == NvmlReturn.SUCCESS) values.put(m, v.get());
        else missing.put(m, NvmlReturn.name(r));
    }

    private static long unsigned(int v) {
        return Integer.toUnsignedLong(v);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8).trim();
    }

    private static String firstLine(String s) {
        if (s == null) return "no message";
        String line = s.lines().findFirst().orElse("").trim();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    @Override
    public void close() {
        if (initialised) {
            initialised = false;
            nvml.get().nvmlShutdown();
        }
    }
}
