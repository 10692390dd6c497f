package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HardwareJsonTest {

    @Test
    void aReportWithAHardwareSectionRoundTrips() {
        Report base = Fixtures.report("h-1", 1, "");
        Hardware hw = new Hardware(
                List.of(new Hardware.Gpu("nvml", "GPU-aaaa", "Tesla T4", "00000000:3B:00.0", 6,
                        Map.of("gpuUtilPercent", 97.5), Map.of("gpuUtilPercent", 99.0), Map.of("energyMillijoules", "NOT_SUPPORTED"))),
                List.of(new Hardware.GpuProcess("GPU-aaaa", 4242, "python3", "COMPUTE", 6, Map.of("avgSmUtilPercent", 96.0),
                        List.of("libcudnn.so.8"))),
                List.of(new Hardware.Asic("cgminer-api", "127.0.0.1:4028", "bmminer 1.0.0", true, 13_598_710, 3,
                        List.of("stratum+tcp://pool.test:3333"))),
                List.of(new Hardware.Energy("rapl:package-0", 7200, 120, 60_000, "counter")),
                List.of(new Hardware.Absent("amdgpu", "no AMD GPU in /sys/class/drm")));
        Report r = new Report(base.formatVersion(), base.hostId(), base.seq(), base.prev(), base.windowStartMs(), base.windowEndMs(),
                base.agentVersion(), base.agentStartedMs(), base.rulesHash(), base.allowlistHash(), base.load(), base.topProcesses(),
                base.findings(), base.verdict(), base.notes(), hw, List.of(), List.of());

        assertThat(Json.fromJson(Json.toJson(r), Report.class)).isEqualTo(r);
    }

    @Test
    void aReportFromAnAgentBeforeTheHardwareSectionParsesWithNone() {
        String old = Json.toJson(Fixtures.report("h-1", 1, "")).replace(",\"hardware\":{\"gpus\":[],\"gpuProcesses\":[],\"asic\":[],"
                + "\"energy\":[],\"absent\":[]}", "");
        assertThat(old).doesNotContain("hardware");

        assertThat(Json.fromJson(old, Report.class).hardware()).isEqualTo(Hardware.NONE);
        String emptySection = old.substring(0, old.length() - 1) + ",\"hardware\":{}}";
        assertThat(Json.fromJson(emptySection, Report.class).hardware()).isEqualTo(Hardware.NONE);
    }
}
