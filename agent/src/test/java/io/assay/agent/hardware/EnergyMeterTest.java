package io.assay.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnergyMeterTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void powerSamplesAreIntegratedBetweenReadings() {
        EnergyMeter m = new EnergyMeter();
        m.power("gpu:amdgpu:0000:03:00.0", T0, 200);
        m.power("gpu:amdgpu:0000:03:00.0", T0.plusSeconds(10), 220);
        m.power("gpu:amdgpu:0000:03:00.0", T0.plusSeconds(20), 220);

        EnergyMeter.Window w = m.close().measured().get(0);

        assertThat(w.joules()).isCloseTo(2_100 + 2_200, offset(1e-9));
        assertThat(w.avgWatts()).isCloseTo(215, offset(1e-9));
        assertThat(w.method()).isEqualTo("power");
    }

    @Test
    void energyAcrossAWindowBoundaryIsCountedOnceInTheLaterWindow() {
        EnergyMeter m = new EnergyMeter();
        m.counter("nvml:GPU-a", T0, 1_000_000, 0, 1e-3);
        m.counter("nvml:GPU-a", T0.plusSeconds(60), 1_600_000, 0, 1e-3);
        assertThat(m.close().measured().get(0).joules()).isCloseTo(600, offset(1e-9));
        m.counter("nvml:GPU-a", T0.plusSeconds(70), 1_700_000, 0, 1e-3);
        EnergyMeter.Window second = m.close().measured().get(0);
        assertThat(second.joules()).isCloseTo(100, offset(1e-9));
        assertThat(second.measuredMs()).isEqualTo(10_000);
    }

    @Test
    void aCounterThatGoesBackWithoutAWrapRangeIsAResetAndThatIntervalIsNotCounted() {
        EnergyMeter m = new EnergyMeter();
        m.counter("nvml:GPU-a", T0, 5_000_000, 0, 1e-3);
        m.counter("nvml:GPU-a", T0.plusSeconds(10), 2_000, 0, 1e-3);
        m.counter("nvml:GPU-a", T0.plusSeconds(20), 1_002_000, 0, 1e-3);
        EnergyMeter.Window w = m.close().measured().get(0);
        assertThat(w.joules()).isCloseTo(1_000, offset(1e-9));
        assertThat(w.avgWatts()).isCloseTo(100, offset(1e-9));
    }

    @Test
    void aSourceNeverMeasuredInAWindowIsAbsentWithItsReason() {
        EnergyMeter m = new EnergyMeter();
        m.absent("rapl:package-0", "permission denied reading /sys/class/powercap/intel-rapl:0/energy_uj");
        m.counter("nvml:GPU-a", T0, 1, 0, 1e-3);
        EnergyMeter.Closed c = m.close();
        assertThat(c.measured()).isEmpty();
        assertThat(c.absent()).isEqualTo(Map.of(
                "rapl:package-0", "permission denied reading /sys/class/powercap/intel-rapl:0/energy_uj",
                "nvml:GPU-a", "only one reading in this window"));
    }
}
