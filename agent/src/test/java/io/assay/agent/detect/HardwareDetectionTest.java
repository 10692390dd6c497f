package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.hardware.nvml.FakeNvml;
import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.Verdict;
import io.assay.agent.detect.judge.Verdicts;
import io.assay.testing.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector on this host's real processes, with GPU use from a fake NVML library (built by the
 * test; this host has no GPU) that names those processes, through the same loading path as the
 * driver's library. The processes are real: a client holding a connection to a fake pool, a
 * process with a test-built library named like libtorch loaded, one using the "encoder".
 */
@Tag("slow")
class HardwareDetectionTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void busyGpuWithNoMlLibrariesAndAPoolConnectionIsMining(@TempDir Path dir) throws Exception {
        try (FakePool pool = new FakePool(0)) {
            Path config = Files.createDirectories(dir.resolve("conf"));
            Files.writeString(config.resolve("local-rules.json"), "{\"poolPorts\": [" + pool.port() + "]}");
            // bash connects, then becomes sleep with the socket still open: no miner code, no miner name, no CPU.
            Process client = start(List.of("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + pool.port() + "; exec sleep 120"), Map.of());
            waitFor(() -> read(Path.of("/proc/" + client.pid() + "/comm")).equals("sleep\n"));
            FakeNvml nvml = FakeNvml.build(dir.resolve("nvml"), busyDevice(0, "GPU-e2e-0", 0) + "proc 0 compute " + client.pid() + " 2000000000\n");

            Assessment a = windowOf(config, nvml);

            List<Finding> ofClient = a.findings().stream().filter(f -> f.pid() == client.pid()).toList();
            assertThat(ofClient).extracting(Finding::ruleId).contains("beh.gpu.unexplained")
                    .containsAnyOf("beh.net.pool-port", "sig.net.pool-endpoint");
            assertThat(Verdicts.ofProcesses(a.findings())).containsEntry((int) client.pid(), Verdict.MINING);
            assertThat(a.verdict()).isEqualTo(Verdict.MINING);
            assertThat(a.hardware().gpus()).extracting(Hardware.Gpu::id).containsExactly("GPU-e2e-0");
            assertThat(a.hardware().gpuProcesses()).singleElement().satisfies(p -> {
                assertThat(p.pid()).isEqualTo((int) client.pid());
                assertThat(p.processName()).isEqualTo("sleep");
                assertThat(p.figures()).containsEntry("maxMemoryBytes", 2e9);
            });
        }
    }

    @Test
    void busyGpuWithATestBuiltLibtorchLoadedIsCleanAndTheSameWithoutItIsNot(@TempDir Path dir) throws Exception {
        Path torch = dir.resolve("lib/libtorch_cuda.so");
        Files.createDirectories(torch.getParent());
        Path src = Files.writeString(dir.resolve("torch.c"), "int assay_test_torch_marker(void) { return 42; }\n");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-pipe", "-o", torch.toString(), src.toString()).inheritIO().start();
        assertThat(gcc.waitFor()).isZero();
        Process training = start(List.of("sleep", "120"), Map.of("LD_PRELOAD", torch.toString()));
        Process plain = start(List.of("sleep", "120"), Map.of());
        waitFor(() -> read(Path.of("/proc/" + training.pid() + "/maps")).contains("libtorch_cuda.so"));
        FakeNvml nvml = FakeNvml.build(dir.resolve("nvml"), busyDevice(0, "GPU-e2e-0", 0) + busyDevice(1, "GPU-e2e-1", 0)
                + "proc 0 compute " + training.pid() + " 1000000\nproc 1 compute " + plain.pid() + " 1000000\n");

        Assessment a = windowOf(Files.createDirectories(dir.resolve("conf")), nvml);

        assertThat(a.findings()).filteredOn(f -> f.pid() == training.pid()).isEmpty();
        assertThat(a.findings()).filteredOn(f -> f.pid() == plain.pid()).extracting(Finding::ruleId).containsExactly("beh.gpu.unexplained");
        assertThat(a.hardware().gpuProcesses()).filteredOn(p -> p.pid() == training.pid())
                .singleElement().satisfies(p -> assertThat(p.libraries()).containsExactly("libtorch_cuda.so"));
    }

    @Test
    void aGpuProcessUsingTheEncoderIsClean(@TempDir Path dir) throws Exception {
        Process transcoder = start(List.of("sleep", "120"), Map.of());
        FakeNvml nvml = FakeNvml.build(dir.resolve("nvml"), busyDevice(0, "GPU-e2e-0", 60) + "proc 0 compute " + transcoder.pid() + " 1000\n");

        Assessment a = windowOf(Files.createDirectories(dir.resolve("conf")), nvml);

        assertThat(a.findings()).filteredOn(f -> f.pid() == transcoder.pid()).isEmpty();
        assertThat(a.hardware().gpus()).singleElement().satisfies(g -> assertThat(g.avg()).containsEntry("encoderUtilPercent", 60.0));
    }

    /** One window of five 1 s ticks through the real detector: /proc of this host, the fake NVML. */
    private static Assessment windowOf(Path config, FakeNvml nvml) {
        HostDetector.Roots roots = new HostDetector.Roots(Path.of("/proc"), nvml.sysRoot, Path.of("/etc"));
        HardwareSources.Settings settings = new HardwareSources.Settings(nvml.library.toString(), nvml.sysRoot.resolve("no-nvidia-smi"),
                freePort(), Clock.systemUTC());
        try (HostDetector d = new HostDetector(roots, new RuleSource(Optional.of(config)), settings)) {
            for (int i = 0; i < 5; i++) d.observe(T0.plusSeconds(i));
            return d.closeWindow(T0.plusSeconds(5));
        }
    }

    private static String busyDevice(int index, String uuid, int encoder) {
        return "device " + index + " name=Test_GPU uuid=" + uuid + " pci=00000000:0" + index + ":00.0 util=98 memutil=90 memtotal=8000000000"
                + " memused=2000000000 power=150000 energy=" + (1_000_000 + index) + " smclock=1500 memclock=7000 temp=70 enc=" + encoder + " dec=0\n";
    }

    private Process start(List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = ChildProcesses.start(pb);
        started.add(p);
        return p;
    }

    /** A port nothing listens on, for the cgminer API: these tests are about GPUs. */
    private static int freePort() {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L; // generous: the machine may be loaded
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 30 s");
            Thread.sleep(20);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
