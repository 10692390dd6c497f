package io.assay.agent.hardware.rapl;

import static java.util.Objects.requireNonNull;

import io.assay.agent.hardware.SysfsFiles;
import io.assay.agent.sample.Reading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU package and DRAM energy counters from RAPL through powercap ({@code /sys/class/powercap/intel-rapl:N}
 * and its sub-zones {@code intel-rapl:N:M}); AMD Zen shows through the same interface on recent
 * kernels. Since Linux 5.10 {@code energy_uj} is readable by root only (CVE-2020-8694, "Platypus"),
 * so an unprivileged agent gets each zone with the reason instead of a value. Returns raw counters;
 * {@link io.assay.agent.hardware.EnergyMeter} turns them into joules, wraparound included.
 */
public final class RaplSource {
    private static final String SOURCE = "rapl";
    private static final Pattern ZONE = Pattern.compile("intel-rapl:\\d+(:\\d+)?");

    private final Path sysRoot;

    /** @param sysRoot where sysfs is mounted ({@code /sys}) */
    public RaplSource(Path sysRoot) {
        this.sysRoot = requireNonNull(sysRoot, "sysRoot");
    }

    /**
     * Each zone's counter, keyed by the energy source name ({@link RaplZone#source}): packages first,
     * each followed by its sub-zones. Absent when the host has no RAPL zones. Never throws.
     */
    public Reading<Map<String, RaplZone>> read() {
        Path powercap = sysRoot.resolve("class/powercap");
        List<String> ids;
        try (Stream<Path> s = Files.list(powercap)) {
            ids = s.map(p -> p.getFileName().toString()).filter(n -> ZONE.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            return Reading.absent(SOURCE, "no powercap interface (" + powercap + " unreadable: " + e.getClass().getSimpleName() + ")");
        }
        if (ids.isEmpty()) return Reading.absent(SOURCE, "no RAPL zones in " + powercap + " (intel_rapl module not loaded, or a VM)");
        Map<String, RaplZone> out = new LinkedHashMap<>();
        Map<String, String> packageNames = new LinkedHashMap<>();
        for (String id : ids) {
            RaplZone z = zone(powercap.resolve(id), id);
            String[] parts = id.split(":");
            String parent = parts.length == 3 ? packageNames.getOrDefault(parts[0] + ":" + parts[1], parts[0] + ":" + parts[1]) : "";
            if (parts.length == 2) packageNames.put(id, z.name());
            out.put(z.source(parent), z);
        }
        return Reading.present(SOURCE, out);
    }

    private static RaplZone zone(Path dir, String id) {
        String name = SysfsFiles.read(dir.resolve("name")).text().orElse(id);
        long max = SysfsFiles.readLong(dir.resolve("max_energy_range_uj")).asLong().orElse(0L);
        SysfsFiles.Value energy = SysfsFiles.readLong(dir.resolve("energy_uj"));
        String why = energy.why();
        if (why.startsWith("permission denied")) why += " (root-only since Linux 5.10, CVE-2020-8694)";
        return new RaplZone(id, name, energy.asLong().map(OptionalLong::of).orElse(OptionalLong.empty()), max, why);
    }
}
