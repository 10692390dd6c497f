package io.assay.agent.hardware.rapl;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * One RAPL powercap zone's energy counter at one instant.
 *
 * @param id the zone's directory name, e.g. {@code intel-rapl:0} (package 0) or {@code intel-rapl:0:1}
 * @param name what the zone measures as the kernel names it: {@code package-0}, {@code dram}, {@code core}, {@code psys}
 * @param energyMicrojoules the counter; empty when it could not be read, with {@code why}
 * @param maxEnergyRangeMicrojoules where the counter wraps to zero
 */
public record RaplZone(String id, String name, OptionalLong energyMicrojoules, long maxEnergyRangeMicrojoules, String why) {
    public RaplZone {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        requireNonNull(energyMicrojoules, "energyMicrojoules");
        requireNonNull(why, "why");
    }

    /** The energy source name in reports: {@code rapl:package-0}, {@code rapl:package-0/dram}. */
    public String source(String parentName) {
        return "rapl:" + (parentName.isEmpty() ? name : parentName + "/" + name);
    }
}
