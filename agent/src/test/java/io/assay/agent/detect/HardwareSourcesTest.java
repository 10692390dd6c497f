package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.assay.agent.FakeClock;
import io.assay.agent.detect.judge.HardwareTick;
import io.assay.agent.hardware.nvml.FakeNvml;
import io.assay.protocol.Hardware;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardware sources together over one window, on a recorded host: a fake NVML GPU, the recorded
 * AMD card, RAPL zones and USB bus, and a recorded {@code /proc/PID/maps}. Checks the window's
 * hardware section: averages and maxima, per-process use with libraries, joules per source, absent
 * sources with why.
 */
class HardwareSourcesTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final Rules RULES = Rules.parse(RuleSource.BUILT_IN, new String(RuleSource.readBuiltIn(), StandardCharsets.UTF_8));
    private static final String GPU = "device 0 name=Tesla_T4 uuid=GPU-w pci=00000000:3B:00.0 util=%d memtotal=16000000000 "
            + "memused=4000000000 power=%d energy=%d enc=0 dec=0\nproc 0 compute 4242 3000000000\n";

    @Test
    void aWindowsHardwareSectionHasFiguresEnergyAndAbsentSources(@TempDir Path dir) throws Exception {
        FakeNvml nvml = FakeNvml.build(dir.resolve("nvml"), GPU.formatted(90, 100_000, 1_000_000));
        for (String tree : new String[] {"sys-amd", "sys-rapl", "sys-usb"}) copy(tree, nvml.sysRoot);
        Path proc = Files.createDirectories(dir.resolve("proc/4242"));
        Files.writeString(proc.resolve("maps"), """
                7f0a00000000-7f0a00200000 r-xp 00000000 08:01 1234 /opt/conda/lib/python3.11/site-packages/torch/lib/libcudnn.so.8
                7f0a10000000-7f0a10100000 r-xp 00000000 08:01 1235 /usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15
                7f0a20000000-7f0a20100000 r-xp 00000000 08:01 1236 /usr/lib/x86_64-linux-gnu/libc.so.6
                """);
        FakeClock clock = new FakeClock(T0);
        var settings = new HardwareSources.Settings(nvml.library.toString(), dir.resolve("no-nvidia-smi"), 4028, clock);
        try (HardwareSources hw = new HardwareSources(proc.getParent(), nvml.sysRoot, RULES, settings)) {
            HardwareTick first = hw.read(T0);
            assertThat(first.libraries()).containsEntry(4242, java.util.List.of("libcudnn.so.8", "libcuda.so.550.54.15"));
            assertThat(first.usb()).hasSize(4);

            nvml.scenario(GPU.formatted(70, 120_000, 1_600_000)); // 600 J in 10 s
            Path pkg = nvml.sysRoot.resolve("class/powercap/intel-rapl:0/energy_uj");
            Files.writeString(pkg, (262_100_000_000L + 1_200_000_000L - 262_143_328_850L) + "\n"); // 1,200 J, wrapped
            clock.advance(Duration.ofSeconds(10));
            hw.read(T0.plusSeconds(10));

            Hardware h = hw.closeWindow(Map.of(4242, "python3"));

            assertThat(h.gpus()).extracting(Hardware.Gpu::id).containsExactly("GPU-w", "amdgpu:0000:03:00.0", "amdgpu:0000:06:00.0");
            Hardware.Gpu t4 = h.gpus().get(0);
            assertThat(t4.samples()).isEqualTo(2);
            assertThat(t4.avg()).containsEntry("gpuUtilPercent", 80.0).containsEntry("powerMilliwatts", 110_000.0)
                    .doesNotContainKey("energyMillijoules");
            assertThat(t4.max()).containsEntry("gpuUtilPercent", 90.0);
            assertThat(h.gpuProcesses()).singleElement().satisfies(p -> {
                assertThat(p.processName()).isEqualTo("python3");
                assertThat(p.kind()).isEqualTo("COMPUTE");
                assertThat(p.figures()).containsEntry("maxMemoryBytes", 3e9).doesNotContainKey("avgSmUtilPercent");
                assertThat(p.libraries()).containsExactly("libcudnn.so.8", "libcuda.so.550.54.15");
            });
            Map<String, Hardware.Energy> energy = new java.util.HashMap<>();
            h.energy().forEach(e -> energy.put(e.source(), e));
            assertThat(energy.get("gpu:GPU-w").joules()).isCloseTo(600, offset(1e-6));
            assertThat(energy.get("gpu:GPU-w").method()).isEqualTo("counter");
            assertThat(energy.get("rapl:package-0").joules()).isCloseTo(1_200, offset(1e-3));
            assertThat(energy.get("rapl:package-0").avgWatts()).isCloseTo(120, offset(1e-3));
            assertThat(energy.get("gpu:amdgpu:0000:03:00.0").joules()).isCloseTo(2_310, offset(1e-6)); // 231 W for 10 s
            assertThat(energy.get("gpu:amdgpu:0000:03:00.0").method()).isEqualTo("power");
            assertThat(h.asic()).extracting(Hardware.Asic::where).containsExactly("1-1", "1-1.2", "1-1.3", "2-1");
            assertThat(h.asic()).filteredOn(a -> !a.strong()).extracting(Hardware.Asic::where).containsExactly("1-1.3");
            Map<String, String> absent = new java.util.HashMap<>();
            h.absent().forEach(a -> absent.put(a.source(), a.why()));
            assertThat(absent.get("cgminer-api")).isEqualTo("not asked: the agent reads a recorded host under " + proc.getParent());
            assertThat(absent.get("rapl:package-1")).startsWith("cannot read ");
            assertThat(absent.get("gpu:amdgpu:0000:06:00.0")).startsWith("no energy counter or power reading");
            assertThat(absent).doesNotContainKeys("nvml", "amdgpu", "usb");

            hw.read(T0.plusSeconds(70));
            Hardware next = hw.closeWindow(Map.of());
            assertThat(next.gpus()).as("sums start again: one read in this window").allMatch(g -> g.samples() == 1);
            assertThat(next.absent()).as("unchanged absences are not repeated").extracting(Hardware.Absent::source)
                    .doesNotContain("cgminer-api", "rapl:package-1");
            for (int i = 3; i <= HardwareSources.RESTATE_ABSENT_WINDOWS; i++) { // windows 3..60; the 61st restates
                hw.read(T0.plusSeconds(70 + 60L * i));
                hw.closeWindow(Map.of());
            }
            hw.read(T0.plusSeconds(70 + 60L * (HardwareSources.RESTATE_ABSENT_WINDOWS + 1)));
            assertThat(hw.closeWindow(Map.of()).absent()).as("restated in full every so many windows")
                    .extracting(Hardware.Absent::source).contains("cgminer-api", "rapl:package-1");
        }
    }

    private static void copy(String tree, Path to) throws Exception {
        Path from = Path.of(HardwareSourcesTest.class.getResource("/hardware/" + tree).toURI());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else copyFile(p, t);
            }
        }
    }

    private static void copyFile(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }
}
