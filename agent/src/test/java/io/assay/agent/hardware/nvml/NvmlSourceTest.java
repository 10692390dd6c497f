package io.assay.agent.hardware.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.sample.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvmlSourceTest {
    private static final String TWO_GPUS = """
            device 0 name=Tesla_T4 uuid=GPU-aaaa pci=00000000:3B:00.0 util=97 memutil=81 memtotal=16000000000 \
            memused=4000000000 power=69500 energy=1000000 smclock=1590 memclock=5000 temp=66 enc=0 dec=0
            device 1 name=Tesla_T4 uuid=GPU-bbbb pci=00000000:5E:00.0 util=3 memutil=1 memtotal=16000000000 \
            memused=1000 power=17000 energy=500000 smclock=300 memclock=405 temp=40 enc=55 dec=20
            fail 0 energy 3
            proc 0 compute 4242 3900000000
            proc 0 graphics 4242 100000000
            proc 1 graphics 777 -1
            sample 0 4242 1700000000000001 96 80 0 0
            sample 0 4242 1700000000000002 98 82 0 0
            sample 1 900 1700000000000003 10 2 50 21
            """;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T10:00:00Z"));

    @Test
    void readsDevicesProcessesAndUtilisationSamplesThroughTheLibrary(@TempDir Path dir) throws Exception {
        FakeNvml fake = FakeNvml.build(dir, TWO_GPUS);
        try (NvmlSource nvml = new NvmlSource(fake.library.toString(), fake.sysRoot, clock)) {
            GpuSnapshot s = present(nvml.read());

            assertThat(s.gpus()).hasSize(2);
            Gpu g0 = s.gpus().get(0);
            assertThat(g0.name()).isEqualTo("Tesla T4");
            assertThat(g0.uuid()).isEqualTo("GPU-aaaa");
            assertThat(g0.pciBusId()).isEqualTo("00000000:3B:00.0");
            assertThat(g0.values()).containsEntry(GpuMetric.GPU_UTIL_PERCENT, 97L)
                    .containsEntry(GpuMetric.MEM_UTIL_PERCENT, 81L)
                    .containsEntry(GpuMetric.MEM_USED_BYTES, 4_000_000_000L)
                    .containsEntry(GpuMetric.MEM_TOTAL_BYTES, 16_000_000_000L)
                    .containsEntry(GpuMetric.POWER_MILLIWATTS, 69_500L)
                    .containsEntry(GpuMetric.SM_CLOCK_MHZ, 1590L)
                    .containsEntry(GpuMetric.MEM_CLOCK_MHZ, 5000L)
                    .containsEntry(GpuMetric.TEMPERATURE_CELSIUS, 66L)
                    .containsEntry(GpuMetric.ENCODER_UTIL_PERCENT, 0L)
                    .doesNotContainKey(GpuMetric.ENERGY_MILLIJOULES);
            assertThat(g0.missing()).isEqualTo(Map.of(GpuMetric.ENERGY_MILLIJOULES, "NOT_SUPPORTED"));
            Gpu g1 = s.gpus().get(1);
            assertThat(g1.values()).containsEntry(GpuMetric.ENERGY_MILLIJOULES, 500_000L)
                    .containsEntry(GpuMetric.ENCODER_UTIL_PERCENT, 55L).containsEntry(GpuMetric.DECODER_UTIL_PERCENT, 20L);

            assertThat(s.processes()).containsExactly(
                    new GpuProcessUse("GPU-aaaa", 4242, GpuProcessUse.Kind.COMPUTE_AND_GRAPHICS, OptionalLong.of(4_000_000_000L),
                            OptionalInt.of(97), OptionalInt.of(81), OptionalInt.of(0), OptionalInt.of(0)),
                    new GpuProcessUse("GPU-bbbb", 777, GpuProcessUse.Kind.GRAPHICS, OptionalLong.empty(),
                            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()),
                    new GpuProcessUse("GPU-bbbb", 900, GpuProcessUse.Kind.SAMPLED_ONLY, OptionalLong.empty(),
                            OptionalInt.of(10), OptionalInt.of(2), OptionalInt.of(50), OptionalInt.of(21)));
            assertThat(s.notes()).isEmpty();
            assertThat(s.at()).isEqualTo(clock.instant());
        }
    }

    @Test
    void eachReadTakesOnlyTheUtilisationSamplesNewerThanThePreviousRead(@TempDir Path dir) throws Exception {
        FakeNvml fake = FakeNvml.build(dir, """
                device 0 name=A uuid=GPU-a util=50
                proc 0 compute 10 1000
                sample 0 10 100 40 0 0 0
                """);
        try (NvmlSource nvml = new NvmlSource(fake.library.toString(), fake.sysRoot, clock)) {
            assertThat(present(nvml.read()).processes().get(0).smUtilPercent()).hasValue(40);
            assertThat(present(nvml.read()).processes().get(0).smUtilPercent()).isEmpty();
            fake.scenario("""
                    device 0 name=A uuid=GPU-a util=50
                    proc 0 compute 10 1000
                    sample 0 10 100 40 0 0 0
                    sample 0 10 200 90 0 0 0
                    """);
            assertThat(present(nvml.read()).processes().get(0).smUtilPercent()).hasValue(90);
        }
    }

    @Test
    void aCallFailingMidWindowLosesThatFigureWithNvmlsReasonAndTheRestStands(@TempDir Path dir) throws Exception {
        FakeNvml fake = FakeNvml.build(dir, TWO_GPUS);
        try (NvmlSource nvml = new NvmlSource(fake.library.toString(), fake.sysRoot, clock)) {
            assertThat(present(nvml.read()).gpus()).hasSize(2);
            fake.scenario(TWO_GPUS + "fail 0 power 15\nfail 0 compute 15\nfail 1 handle 15\n");

            GpuSnapshot s = present(nvml.read());

            assertThat(s.gpus()).extracting(Gpu::uuid).containsExactly("GPU-aaaa");
            assertThat(s.gpus().get(0).missing()).containsEntry(GpuMetric.POWER_MILLIWATTS, "GPU_IS_LOST");
            assertThat(s.gpus().get(0).values()).containsEntry(GpuMetric.GPU_UTIL_PERCENT, 97L);
            assertThat(s.notes()).containsExactly(
                    "GPU 0: nvmlDeviceGetComputeRunningProcesses_v3 failed: GPU_IS_LOST",
                    "GPU 1: nvmlDeviceGetHandleByIndex_v2 failed: GPU_IS_LOST");
            assertThat(s.processes()).extracting(GpuProcessUse::kind).containsExactly(GpuProcessUse.Kind.GRAPHICS);

            fake.scenario("countfail 15\n");
            assertThat(nvml.read()).isEqualTo(Reading.absent("nvml", "nvmlDeviceGetCount_v2 failed: GPU_IS_LOST"));
        }
    }

    @Test
    void aDriverWithoutDevicesIsAbsent(@TempDir Path dir) throws Exception {
        FakeNvml fake = FakeNvml.build(dir, "");
        try (NvmlSource nvml = new NvmlSource(fake.library.toString(), fake.sysRoot, clock)) {
            assertThat(nvml.read()).isEqualTo(Reading.absent("nvml", "NVML loaded, but the driver lists no GPU"));
        }
    }

    @Test
    void aDriverThatRefusesToInitialiseIsAbsentAndTriedAgainNextRead(@TempDir Path dir) throws Exception {
        FakeNvml fake = FakeNvml.build(dir, "initfail 9\n");
        try (NvmlSource nvml = new NvmlSource(fake.library.toString(), fake.sysRoot, clock)) {
            assertThat(nvml.read()).isEqualTo(Reading.absent("nvml", "nvmlInit_v2 failed: DRIVER_NOT_LOADED"));
            fake.scenario("device 0 name=A uuid=GPU-a util=5\n");
            assertThat(present(nvml.read()).gpus()).extracting(Gpu::uuid).containsExactly("GPU-a");
        }
    }

    @Test
    void noLibraryIsAbsentWithWhyAndTriedAgainOnlyAfterTheRetryInterval(@TempDir Path dir) throws Exception {
        Path sys = dir.resolve("sys");
        Files.createDirectories(sys.resolve("module/nvidia"));
        Path lib = dir.resolve("lib/libnvidia-ml.so.1");
        try (NvmlSource nvml = new NvmlSource(lib.toString(), sys, clock)) {
            Reading<GpuSnapshot> r = nvml.read();
            assertThat(r).isInstanceOf(Reading.Absent.class);
            assertThat(((Reading.Absent<GpuSnapshot>) r).reason()).startsWith("cannot load " + lib + ": ");

            Files.createDirectories(dir.resolve("build"));
            FakeNvml fake = FakeNvml.build(dir.resolve("build"), "device 0 name=A uuid=GPU-a\n");
            Files.createDirectories(lib.getParent());
            Files.copy(fake.library, lib);
            Files.copy(fake.library.resolveSibling("scenario.txt"), lib.resolveSibling("scenario.txt"));
            assertThat(nvml.read()).isEqualTo(r); // not looked for again yet
            clock.advance(NvmlSource.RETRY_LOAD);
            assertThat(present(nvml.read()).gpus()).hasSize(1);
        }
    }

    @Test
    void noNvidiaKernelModuleMeansTheLibraryIsNotLoadedAtAll(@TempDir Path dir) throws Exception {
        FakeNvml fake = FakeNvml.build(dir, "device 0 name=A uuid=GPU-a\n");
        Path bareSys = Files.createDirectories(dir.resolve("bare-sys"));
        try (NvmlSource nvml = new NvmlSource(fake.library.toString(), bareSys, clock)) {
            assertThat(nvml.read()).isEqualTo(Reading.absent("nvml",
                    "no NVIDIA kernel driver loaded (" + bareSys.resolve("module/nvidia") + " missing)"));
        }
    }

    @Test
    void aLibraryThatIsNotNvmlIsAbsent(@TempDir Path dir) throws Exception {
        Path src = Files.writeString(dir.resolve("other.c"), "int something_else(void) { return 1; }\n");
        Path lib = dir.resolve("libnvidia-ml.so.1");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", lib.toString(), src.toString()).inheritIO().start();
        assertThat(gcc.waitFor()).isZero();
        Path sys = Files.createDirectories(dir.resolve("sys/module/nvidia")).getParent().getParent();
        try (NvmlSource nvml = new NvmlSource(lib.toString(), sys, clock)) {
            Reading<GpuSnapshot> r = nvml.read();
            assertThat(((Reading.Absent<GpuSnapshot>) r).reason()).startsWith(lib + " is not NVML (no nvmlInit_v2)");
        }
    }

    private static GpuSnapshot present(Reading<GpuSnapshot> r) {
        assertThat(r).isInstanceOf(Reading.Present.class);
        return ((Reading.Present<GpuSnapshot>) r).value();
    }
}
