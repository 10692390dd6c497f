package io.assay.agent.hardware;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One GPU as one source saw it at one instant.
 *
 * @param source which source read it: {@code nvml}, {@code nvidia-smi}, {@code amdgpu}
 * @param index the source's device index
 * @param uuid a stable id where the source has one ({@code GPU-…} for NVIDIA), else "" (AMD: the card's
 *     PCI address serves as identity)
 * @param pciBusId PCI address, e.g. {@code 00000000:3B:00.0}, or ""
 * @param values the metrics read, in the units their names say
 * @param missing the metrics not read, each with why (for example {@code NOT_SUPPORTED} on boards
 *     that lack a sensor); never a zero in {@code values} instead
 */
public record Gpu(String source, int index, String name, String uuid, String pciBusId,
        Map<GpuMetric, Long> values, Map<GpuMetric, String> missing) {

    public Gpu {
        requireNonNull(source, "source");
        requireNonNull(name, "name");
        requireNonNull(uuid, "uuid");
        requireNonNull(pciBusId, "pciBusId");
        values = values.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(values));
        missing = missing.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(missing));
    }

    public OptionalLong value(GpuMetric m) {
        Long v = values.get(m);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** The identity a window keys this device by: UUID when there is one, else source and PCI address. */
    public String key() {
        return !uuid.isEmpty() ? uuid : source + ":" + (pciBusId.isEmpty() ? Integer.toString(index) : pciBusId);
    }
}
