package io.assay.agent.hardware.amd;

import static java.util.Objects.requireNonNull;

import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.hardware.SysfsFiles;
import io.assay.agent.sample.Reading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * AMD GPUs through the amdgpu driver's sysfs files under {@code /sys/class/drm/cardN/device/}:
 * {@code gpu_busy_percent}, {@code mem_busy_percent}, {@code mem_info_vram_used}/{@code _total}, and
 * hwmon's {@code power1_average} (µW; newer kernels name it {@code power1_input}) and
 * {@code temp1_input} (m°C). World-readable on stock kernels, so no privilege is needed. amdgpu has
 * no per-process utilization here (that is in {@code /proc/PID/fdinfo}), so processes are empty.
 */
public final class AmdGpuSource {
    private static final String SOURCE = "amdgpu";
    private static final String AMD_VENDOR = "0x1002";
    private static final Pattern CARD = Pattern.compile("card\\d+");

    private final Path sysRoot;
    private final Clock clock;

    /** @param sysRoot where sysfs is mounted ({@code /sys}) */
    public AmdGpuSource(Path sysRoot, Clock clock) {
        this.sysRoot = requireNonNull(sysRoot, "sysRoot");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Reads every AMD card once. Never throws. */
    public Reading<GpuSnapshot> read() {
        Path drm = sysRoot.resolve("class/drm");
        List<Path> cards;
        try (Stream<Path> s = Files.list(drm)) {
            cards = s.filter(p -> CARD.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return Reading.absent(SOURCE, "no DRM devices (" + drm + " unreadable: " + e.getClass().getSimpleName() + ")");
        }
        List<Gpu> gpus = new ArrayList<>();
        for (Path card : cards) {
            Path dev = card.resolve("device");
            if (!SysfsFiles.read(dev.resolve("vendor")).text().orElse("").equalsIgnoreCase(AMD_VENDOR)) continue;
            gpus.add(card(card, dev));
        }
        if (gpus.isEmpty()) return Reading.absent(SOURCE, "no AMD GPU in " + drm);
        return Reading.present(SOURCE, new GpuSnapshot(SOURCE, clock.instant(), gpus, List.of(), List.of()));
    }

    private Gpu card(Path card, Path dev) {
        Map<GpuMetric, Long> values = new EnumMap<>(GpuMetric.class);
        Map<GpuMetric, String> missing = new EnumMap<>(GpuMetric.class);
        put(values, missing, GpuMetric.GPU_UTIL_PERCENT, SysfsFiles.readLong(dev.resolve("gpu_busy_percent")), Function.identity());
        put(values, missing, GpuMetric.MEM_UTIL_PERCENT, SysfsFiles.readLong(dev.resolve("mem_busy_percent")), Function.identity());
        put(values, missing, GpuMetric.MEM_USED_BYTES, SysfsFiles.readLong(dev.resolve("mem_info_vram_used")), Function.identity());
        put(values, missing, GpuMetric.MEM_TOTAL_BYTES, SysfsFiles.readLong(dev.resolve("mem_info_vram_total")), Function.identity());
        Optional<Path> hwmon = hwmon(dev);
        if (hwmon.isEmpty()) {
            missing.put(GpuMetric.POWER_MILLIWATTS, "no hwmon directory under " + dev);
            missing.put(GpuMetric.TEMPERATURE_CELSIUS, "no hwmon directory under " + dev);
        } else {
            SysfsFiles.Value power = SysfsFiles.readLong(hwmon.get().resolve("power1_average"));
            if (power.text().isEmpty()) power = SysfsFiles.readLong(hwmon.get().resolve("power1_input"));
            put(values, missing, GpuMetric.POWER_MILLIWATTS, power, uw -> uw / 1000);
            put(values, missing, GpuMetric.TEMPERATURE_CELSIUS, SysfsFiles.readLong(hwmon.get().resolve("temp1_input")), mc -> mc / 1000);
        }
        for (GpuMetric m : List.of(GpuMetric.ENERGY_MILLIJOULES, GpuMetric.SM_CLOCK_MHZ, GpuMetric.MEM_CLOCK_MHZ,
                GpuMetric.ENCODER_UTIL_PERCENT, GpuMetric.DECODER_UTIL_PERCENT)) {
            missing.put(m, "not read from amdgpu sysfs");
        }
        String pci = SysfsFiles.read(dev.resolve("uevent")).text().orElse("").lines()
                .filter(l -> l.startsWith("PCI_SLOT_NAME=")).map(l -> l.substring("PCI_SLOT_NAME=".length())).findFirst().orElse("");
        String name = SysfsFiles.read(dev.resolve("product_name")).text().filter(s -> !s.isEmpty())
                .orElse("AMD GPU " + SysfsFiles.read(dev.resolve("device")).text().orElse("?"));
        int index = Integer.parseInt(card.getFileName().toString().substring(4));
        return new Gpu(SOURCE, index, name, "", pci, values, missing);
    }

    private static Optional<Path> hwmon(Path dev) {
        try (Stream<Path> s = Files.list(dev.resolve("hwmon"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("hwmon")).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void put(Map<GpuMetric, Long> values, Map<GpuMetric, String> missing, GpuMetric m, SysfsFiles.Value v,
            Function<Long, Long> scale) {
        Optional<Long> n = v.asLong();
        if (n.isPresent()) values.put(m, scale.apply(n.get()));
        else missing.put(m, v.why());
    }
}
