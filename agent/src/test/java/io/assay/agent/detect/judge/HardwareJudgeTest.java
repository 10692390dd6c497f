package io.assay.agent.detect.judge;

import static io.assay.agent.detect.judge.JudgeTest.RULES;
import static io.assay.agent.detect.judge.JudgeTest.T0;
import static io.assay.agent.detect.judge.JudgeTest.host;
import static io.assay.agent.detect.judge.JudgeTest.process;
import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.detect.Allowlist;
import io.assay.agent.detect.Assessment;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.cgminer.MinerApiAnswer;
import io.assay.agent.hardware.usb.UsbDevice;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The judge's hardware rules over observations the test makes: GPU use, miner APIs, USB miners. */
class HardwareJudgeTest {
    private static final int PID = 80;
    private static final Gpu T4 = new Gpu("nvml", 0, "Tesla T4", "GPU-aaaa", "00000000:3B:00.0",
            Map.of(GpuMetric.GPU_UTIL_PERCENT, 98L, GpuMetric.ENCODER_UTIL_PERCENT, 0L), Map.of());

    /** Six ticks of a process (idle on the CPU) using the GPU as {@code use} says, connected to {@code port}. */
    private static Assessment window(int port, List<String> libraries, GpuProcessUse use, List<HardwareTick.MinerApi> apis,
            List<UsbDevice> usb, Map<Integer, List<ProcParsers.TcpConnection>> extraConnections) {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        ProcessSnapshot p = process(PID, "/opt/app/bin/jobworker", 0);
        for (int i = 0; i <= 5; i++) {
            var conn = new ProcParsers.TcpConnection("127.0.0.1", 50000, "127.0.0.1", port, ProcParsers.TcpState.ESTABLISHED, 1000,
                    JudgeTest.SOCKET);
            Map<Integer, List<ProcParsers.TcpConnection>> conns = new java.util.HashMap<>(extraConnections);
            conns.put(PID, List.of(conn));
            List<ProcessSnapshot> procs = new ArrayList<>(List.of(p));
            extraConnections.keySet().forEach(pid -> procs.add(process(pid, "/usr/local/bin/jobworker", 0)));
            Tick tick = new Tick(T0.plusSeconds(i), host(0), procs, conns, List.of(), List.of(), List.of());
            judge.observe(w, tick);
            judge.observeHardware(w, tick, new HardwareTick(tick.at(), List.of(T4), use == null ? List.of() : List.of(use),
                    Map.of(PID, libraries), i == 0 ? apis : List.of(), i == 0 ? usb : List.of(), List.of()));
        }
        return judge.close(w, T0.plusSeconds(6), List.of(), Allowlist.EMPTY, "", List.of());
    }

    private static GpuProcessUse compute(int sm, int enc) {
        return new GpuProcessUse("GPU-aaaa", PID, GpuProcessUse.Kind.COMPUTE, OptionalLong.of(4L << 30), OptionalInt.of(sm),
                OptionalInt.of(60), OptionalInt.of(enc), OptionalInt.of(0));
    }

    private static List<String> rules(Assessment a) {
        return a.findings().stream().map(Finding::ruleId).toList();
    }

    @Test
    void busyGpuWithOnlyCudaLoadedAndAPoolConnectionIsMining() {
        Assessment a = window(4444, List.of("libcuda.so.1", "libnvrtc.so.12"), compute(97, 0), List.of(), List.of(), Map.of());

        assertThat(rules(a)).contains("beh.gpu.unexplained");
        Finding gpu = a.findings().stream().filter(f -> f.ruleId().equals("beh.gpu.unexplained")).findFirst().orElseThrow();
        assertThat(gpu.pid()).isEqualTo(PID);
        assertThat(gpu.matched()).containsExactly("sm=97%", "libcuda.so.1", "libnvrtc.so.12");
        assertThat(gpu.summary()).contains("Tesla T4 GPU-aaaa", "no ML, rendering or video library loaded");
        assertThat(a.verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void busyGpuUnexplainedWithoutAPoolConnectionIsSuspect() {
        Assessment a = window(8080, List.of("libcuda.so.1"), compute(97, 0), List.of(), List.of(), Map.of());
        assertThat(rules(a)).containsExactly("beh.gpu.unexplained");
        assertThat(a.verdict()).isEqualTo(Verdict.SUSPECT);
    }

    @Test
    void busyGpuWithLibtorchLoadedIsClean() {
        Assessment a = window(8080, List.of("libcuda.so.1", "libtorch_cuda.so"), compute(97, 0), List.of(), List.of(), Map.of());
        assertThat(rules(a)).isEmpty();
        assertThat(a.verdict()).isEqualTo(Verdict.CLEAN);
    }

    @Test
    void busyGpuUsingTheEncoderIsClean() {
        Assessment a = window(8080, List.of("libcuda.so.1"), compute(70, 55), List.of(), List.of(), Map.of());
        assertThat(rules(a)).isEmpty();
        assertThat(a.verdict()).isEqualTo(Verdict.CLEAN);
    }

    @Test
    void withoutPerProcessSamplesTheOnlyComputeContextCarriesTheDevicesLoad() {
        GpuProcessUse unsampled = new GpuProcessUse("GPU-aaaa", PID, GpuProcessUse.Kind.COMPUTE, OptionalLong.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
        Assessment a = window(4444, List.of(), unsampled, List.of(), List.of(), Map.of());
        assertThat(rules(a)).contains("beh.gpu.unexplained");
        assertThat(a.verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void aGpuBusyLessThanTheRulesFractionIsNotSustained() {
        Assessment a = window(4444, List.of(), compute(30, 0), List.of(), List.of(), Map.of());
        assertThat(rules(a)).doesNotContain("beh.gpu.unexplained");
    }

    @Test
    void aMinerApiIsASignatureOnTheProcessThatListensOrHostWideWhenNoneIsVisible() {
        MinerApiAnswer answer = new MinerApiAnswer("127.0.0.1:4028", "bmminer 1.0.0", 13_598_710, 51_234, 3,
                List.of("stratum+tcp://pool.test:3333"), List.of());
        Assessment hostWide = window(8080, List.of(), null, List.of(new HardwareTick.MinerApi(4028, answer)), List.of(), Map.of());
        assertThat(hostWide.findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("sig.asic.miner-api");
            assertThat(f.pid()).isZero();
            assertThat(f.kind()).isEqualTo(Finding.Kind.SIGNATURE);
            assertThat(f.summary()).contains("127.0.0.1:4028", "bmminer 1.0.0", "3 devices", "stratum+tcp://pool.test:3333");
        });
        assertThat(hostWide.verdict()).isEqualTo(Verdict.MINING);

        var listen = new ProcParsers.TcpConnection("127.0.0.1", 4028, "0.0.0.0", 0, ProcParsers.TcpState.LISTEN, 0, 999);
        Assessment owned = window(8080, List.of(), null, List.of(new HardwareTick.MinerApi(4028, answer)), List.of(),
                Map.of(81, List.of(listen)));
        assertThat(owned.findings()).singleElement().satisfies(f -> assertThat(f.pid()).isEqualTo(81));
        assertThat(owned.verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void aStrongUsbMinerIsAHostFindingAndABridgeChipIsNot() {
        UsbDevice avalon = new UsbDevice("1-1.2", "29f1:33f2", "CANAAN", "Avalon nano", "Canaan Avalon", true);
        UsbDevice ftdi = new UsbDevice("1-1.3", "0403:6001", "FTDI", "FT232R USB UART", "FTDI USB-serial", false);
        Assessment a = window(8080, List.of(), null, List.of(), List.of(avalon, ftdi), Map.of());
        assertThat(a.findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("host.asic.usb");
            assertThat(f.matched()).containsExactly("29f1:33f2", "1-1.2", "Canaan Avalon");
        });
        assertThat(a.verdict()).isEqualTo(Verdict.SUSPECT);
    }
}
