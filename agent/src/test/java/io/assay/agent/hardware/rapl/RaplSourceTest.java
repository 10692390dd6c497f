package io.assay.agent.hardware.rapl;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.hardware.EnergyMeter;
import io.assay.agent.sample.Reading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaplSourceTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T10:00:00Z"));

    @Test
    void readsPackageAndSubZoneCountersAndSaysWhyOneIsUnreadable(@TempDir Path dir) throws Exception {
        Path sys = recorded(dir);

        Map<String, RaplZone> zones = ((Reading.Present<Map<String, RaplZone>>) new RaplSource(sys).read()).value();

        assertThat(zones).containsOnlyKeys("rapl:package-0", "rapl:package-0/core", "rapl:package-0/dram", "rapl:package-1");
        assertThat(zones.get("rapl:package-0").energyMicrojoules()).isEqualTo(OptionalLong.of(262_100_000_000L));
        assertThat(zones.get("rapl:package-0").maxEnergyRangeMicrojoules()).isEqualTo(262_143_328_850L);
        assertThat(zones.get("rapl:package-0/dram").energyMicrojoules()).isEqualTo(OptionalLong.of(40_000_000L));
        RaplZone unreadable = zones.get("rapl:package-1");
        assertThat(unreadable.energyMicrojoules()).isEmpty();
        assertThat(unreadable.why()).startsWith("cannot read " + sys.resolve("class/powercap/intel-rapl:1/energy_uj"));
    }

    @Test
    void aWindowsJoulesSurviveTheCounterWrappingAround(@TempDir Path dir) throws Exception {
        Path sys = recorded(dir);
        RaplSource rapl = new RaplSource(sys);
        EnergyMeter meter = new EnergyMeter();
        feed(meter, rapl);
        // 60 s at 120 W on package 0 = 7,200 J: the counter passes its 262,143.32885 J range and starts again.
        long wrapped = 262_100_000_000L + 7_200_000_000L - 262_143_328_850L;
        Files.writeString(sys.resolve("class/powercap/intel-rapl:0/energy_uj"), wrapped + "\n");
        Files.writeString(sys.resolve("class/powercap/intel-rapl:0:1/energy_uj"), (40_000_000L + 540_000_000L) + "\n");
        clock.advance(Duration.ofSeconds(60));
        feed(meter, rapl);

        EnergyMeter.Closed w = meter.close();

        assertThat(w.measured()).extracting(EnergyMeter.Window::source)
                .containsExactly("rapl:package-0", "rapl:package-0/core", "rapl:package-0/dram");
        EnergyMeter.Window pkg = w.measured().get(0);
        assertThat(pkg.joules()).isCloseTo(7_200.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(pkg.avgWatts()).isCloseTo(120.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(pkg.measuredMs()).isEqualTo(60_000);
        assertThat(w.measured().get(2).avgWatts()).isCloseTo(9.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(w.measured().get(1).joules()).isZero(); // core's counter did not move: 0 J measured, not absent
        assertThat(w.absent()).containsOnlyKeys("rapl:package-1");
        assertThat(w.absent().get("rapl:package-1")).startsWith("cannot read ");
    }

    @Test
    void aHostWithoutRaplIsAbsent(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("class/powercap"));
        assertThat(new RaplSource(dir).read()).isEqualTo(Reading.absent("rapl",
                "no RAPL zones in " + dir.resolve("class/powercap") + " (intel_rapl module not loaded, or a VM)"));
    }

    private void feed(EnergyMeter meter, RaplSource rapl) {
        Map<String, RaplZone> zones = ((Reading.Present<Map<String, RaplZone>>) rapl.read()).value();
        zones.forEach((source, z) -> {
            if (z.energyMicrojoules().isPresent()) {
                meter.counter(source, clock.instant(), z.energyMicrojoules().getAsLong(), z.maxEnergyRangeMicrojoules(), 1e-6);
            } else {
                meter.absent(source, z.why());
            }
        });
    }

    private static Path recorded(Path dir) throws Exception {
        Path from = Path.of(RaplSourceTest.class.getResource("/hardware/sys-rapl").toURI());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path to = dir.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else copy(p, to);
            }
        }
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }
}
