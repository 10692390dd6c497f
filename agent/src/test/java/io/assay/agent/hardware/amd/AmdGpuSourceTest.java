package io.assay.agent.hardware.amd;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.sample.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AmdGpuSourceTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T10:00:00Z"));

    @Test
    void readsAmdCardsFromARecordedTreeAndSkipsConnectorsAndOtherVendors() throws Exception {
        Path sys = Path.of(getClass().getResource("/hardware/sys-amd").toURI());

        GpuSnapshot s = ((Reading.Present<GpuSnapshot>) new AmdGpuSource(sys, clock).read()).value();

        assertThat(s.gpus()).extracting(Gpu::index).containsExactly(0, 2);
        Gpu busy = s.gpus().get(0);
        assertThat(busy.source()).isEqualTo("amdgpu");
        assertThat(busy.name()).isEqualTo("AMD GPU 0x73bf");
        assertThat(busy.pciBusId()).isEqualTo("0000:03:00.0");
        assertThat(busy.key()).isEqualTo("amdgpu:0000:03:00.0");
        assertThat(busy.values()).containsEntry(GpuMetric.GPU_UTIL_PERCENT, 98L)
                .containsEntry(GpuMetric.MEM_UTIL_PERCENT, 71L)
                .containsEntry(GpuMetric.MEM_USED_BYTES, 5_368_709_120L)
                .containsEntry(GpuMetric.MEM_TOTAL_BYTES, 17_163_091_968L)
                .containsEntry(GpuMetric.POWER_MILLIWATTS, 231_000L)
                .containsEntry(GpuMetric.TEMPERATURE_CELSIUS, 68L);
        Gpu apu = s.gpus().get(1);
        assertThat(apu.values()).containsOnlyKeys(GpuMetric.GPU_UTIL_PERCENT);
        assertThat(apu.missing().get(GpuMetric.MEM_USED_BYTES)).endsWith("mem_info_vram_used holds \"N/A\", not a number");
        assertThat(apu.missing().get(GpuMetric.POWER_MILLIWATTS)).startsWith("no hwmon directory under ");
        assertThat(apu.missing().get(GpuMetric.MEM_UTIL_PERCENT)).endsWith("mem_busy_percent does not exist");
    }

    @Test
    void aHostWithoutAmdCardsOrWithoutDrmIsAbsent(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("class/drm/card0/device"));
        Files.writeString(dir.resolve("class/drm/card0/device/vendor"), "0x8086\n");
        assertThat(new AmdGpuSource(dir, clock).read()).isEqualTo(Reading.absent("amdgpu", "no AMD GPU in " + dir.resolve("class/drm")));
        Path bare = Files.createDirectories(dir.resolve("bare"));
        assertThat(new AmdGpuSource(bare, clock).read()).isEqualTo(
                Reading.absent("amdgpu", "no DRM devices (" + bare.resolve("class/drm") + " unreadable: NoSuchFileException)"));
    }
}
