package io.assay.agent.hardware.nvidiasmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.sample.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a stand-in {@code nvidia-smi} script (a real process) that prints what the real one prints. */
class NvidiaSmiSourceTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T10:00:00Z"));

    @Test
    void readsDevicesAndComputeProcessesFromTheCsvQueries(@TempDir Path dir) throws Exception {
        Path smi = script(dir, """
                case "$1" in
                --query-gpu=%s) echo '0, NVIDIA GeForce RTX 3090, GPU-1234, 00000000:01:00.0, 99, 87, 5123, 24576, 285.51, 1695, 9751, 71'
                   echo '1, Tesla K80, GPU-5678, 00000000:02:00.0, 0, 0, 0, 11441, [N/A], 324, 324, [Not Supported]' ;;
                --query-compute-apps=*) echo 'GPU-1234, 4242, 5000' ;;
                *) echo "unexpected $*" >&2; exit 9 ;;
                esac
                """.formatted(NvidiaSmiSource.GPU_FIELDS));

        GpuSnapshot s = ((Reading.Present<GpuSnapshot>) new NvidiaSmiSource(smi, Duration.ofSeconds(20), clock).read()).value();

        assertThat(s.gpus()).hasSize(2);
        Gpu g = s.gpus().get(0);
        assertThat(g.name()).isEqualTo("NVIDIA GeForce RTX 3090");
        assertThat(g.values()).containsEntry(GpuMetric.GPU_UTIL_PERCENT, 99L)
                .containsEntry(GpuMetric.MEM_USED_BYTES, 5123L * 1024 * 1024)
                .containsEntry(GpuMetric.POWER_MILLIWATTS, 285_510L)
                .containsEntry(GpuMetric.TEMPERATURE_CELSIUS, 71L);
        assertThat(s.gpus().get(1).missing()).containsEntry(GpuMetric.POWER_MILLIWATTS, "[N/A]")
                .containsEntry(GpuMetric.TEMPERATURE_CELSIUS, "[Not Supported]");
        assertThat(s.processes()).singleElement().satisfies(p -> {
            assertThat(p.gpuKey()).isEqualTo("GPU-1234");
            assertThat(p.pid()).isEqualTo(4242);
            assertThat(p.kind()).isEqualTo(GpuProcessUse.Kind.COMPUTE);
            assertThat(p.usedMemoryBytes()).isEqualTo(OptionalLong.of(5000L * 1024 * 1024));
        });
    }

    @Test
    void aFailingOrMissingNvidiaSmiIsAbsentWithItsWords(@TempDir Path dir) throws Exception {
        Path smi = script(dir, "echo 'NVIDIA-SMI has failed because it couldn'\"'\"'t communicate with the NVIDIA driver.'; exit 9\n");
        assertThat(new NvidiaSmiSource(smi, Duration.ofSeconds(20), clock).read()).isEqualTo(Reading.absent("nvidia-smi",
                "nvidia-smi exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."));
        Path none = dir.resolve("no-such-nvidia-smi");
        assertThat(new NvidiaSmiSource(none, Duration.ofSeconds(20), clock).read())
                .isEqualTo(Reading.absent("nvidia-smi", none + " not found or not executable"));
    }

    @Test
    void aHungNvidiaSmiIsEndedAtTheTimeout(@TempDir Path dir) throws Exception {
        Path smi = script(dir, "exec sleep 600\n");
        assertThat(new NvidiaSmiSource(smi, Duration.ofMillis(300), clock).read())
                .isEqualTo(Reading.absent("nvidia-smi", "nvidia-smi did not finish within 300 ms"));
    }

    private static Path script(Path dir, String body) throws Exception {
        Path p = dir.resolve("nvidia-smi");
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }
}
