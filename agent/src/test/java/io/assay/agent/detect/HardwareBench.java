package io.assay.agent.detect;

import io.assay.agent.FakeClock;
import io.assay.agent.hardware.nvml.FakeNvml;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * What the hardware sources cost per sample tick ({@code ./bench --only hardware}): this host as it
 * is, and a fake NVML driver with 8 GPUs and 64 GPU processes (each with per-process samples),
 * through the same JNA path as the real library. Prints a table; never part of the test suite.
 */
public final class HardwareBench {
    private static final int READS = 200;

    public static void main(String[] args) throws Exception {
        Rules rules = Rules.parse(RuleSource.BUILT_IN, new String(RuleSource.readBuiltIn(), StandardCharsets.UTF_8));
        Path dir = Files.createTempDirectory("assay-hardware-bench");
        StringBuilder scenario = new StringBuilder();
        int pid = 100_000;
        for (int g = 0; g < 8; g++) {
            scenario.append("device ").append(g).append(" name=Bench_GPU uuid=GPU-bench-").append(g).append(" pci=00000000:0").append(g)
                    .append(":00.0 util=95 memutil=80 memtotal=24000000000 memused=8000000000 power=250000 energy=1000000 smclock=1800")
                    .append(" memclock=9500 temp=70 enc=0 dec=0\n");
            for (int p = 0; p < 8; p++, pid++) {
                scenario.append("proc ").append(g).append(" compute ").append(pid).append(" 1000000000\n");
                scenario.append("sample ").append(g).append(' ').append(pid).append(" 1 90 70 0 0\n");
            }
        }
        FakeNvml nvml = FakeNvml.build(dir.resolve("nvml"), scenario.toString());
        System.out.println("| hardware sources per tick | reads | CPU ms per read | wall ms per read | GPUs | GPU processes |");
        System.out.println("|---|---|---|---|---|---|");
        try (HardwareSources host = new HardwareSources(Path.of("/proc"), Path.of("/sys"), rules, HardwareSources.Settings.system())) {
            run("this host (no GPU: NVML, AMD, RAPL, USB absent or as found)", host);
        }
        var settings = new HardwareSources.Settings(nvml.library.toString(), dir.resolve("none"), 1, new FakeClock(Instant.EPOCH));
        try (HardwareSources fake = new HardwareSources(Path.of("/proc"), nvml.sysRoot, rules, settings)) {
            run("fake NVML: 8 GPUs, 64 processes with samples", fake);
        }
    }

    private static void run(String name, HardwareSources hw) {
        Instant t = Clock.systemUTC().instant();
        for (int i = 0; i < 50; i++) hw.read(t.plusSeconds(i)); // warm-up: JNA, class loading, JIT
        hw.closeWindow(Map.of());
        // CPU time as well as wall time: on a shared, loaded machine the wall clock mostly measures the queue.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        var last = hw.read(t);
        for (int i = 1; i < READS; i++) last = hw.read(t.plusSeconds(i));
        double wall = (System.nanoTime() - t0) / 1e6 / READS;
        double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e6 / READS;
        hw.closeWindow(Map.of());
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %d | %d |%n", name, READS, cpu, wall, last.gpus().size(),
                last.gpuProcesses().size());
    }
}
