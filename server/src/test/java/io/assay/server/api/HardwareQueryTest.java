package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Hardware;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auditor reads a window's GPU, ASIC and energy figures as the agent signed them. */
class HardwareQueryTest {

    @Test
    void theAuditorApiShowsTheHardwareSectionOfAReport(@TempDir Path dir) {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost host = TestHost.enrolledAt(server, "gpu-1");
            Report r = host.report(1, "", Verdict.MINING);
            Hardware hw = new Hardware(
                    List.of(new Hardware.Gpu("nvml", "GPU-aaaa", "Tesla T4", "00000000:3B:00.0", 6, Map.of("gpuUtilPercent", 97.5),
                            Map.of("gpuUtilPercent", 99.0), Map.of())),
                    List.of(), List.of(new Hardware.Asic("cgminer-api", "127.0.0.1:4028", "bmminer 1.0.0", true, 13_598_710, 3, List.of())),
                    List.of(new Hardware.Energy("rapl:package-0", 7_200, 120, 60_000, "counter")),
                    List.of(new Hardware.Absent("usb", "no USB bus")));
            Report withHw = new Report(r.formatVersion(), r.hostId(), r.seq(), r.prev(), r.windowStartMs(), r.windowEndMs(),
                    r.agentVersion(), r.agentStartedMs(), r.rulesHash(), r.allowlistHash(), r.load(), r.topProcesses(), r.findings(),
                    r.verdict(), r.notes(), hw, List.of(), List.of());
            assertThat(host.upload(server, Envelopes.seal(withHw, host.signer())).statusCode()).isEqualTo(200);

            JsonObject got = JsonParser.parseString(server.get("/api/v1/reports/" + host.hostId() + "/1", server.auditorToken()).body())
                    .getAsJsonObject();

            JsonObject h = got.getAsJsonObject("payload").getAsJsonObject("hardware");
            assertThat(h.getAsJsonArray("energy").get(0).getAsJsonObject().get("avgWatts").getAsDouble()).isEqualTo(120.0);
            assertThat(h.getAsJsonArray("asic").get(0).getAsJsonObject().get("where").getAsString()).isEqualTo("127.0.0.1:4028");
            assertThat(h.getAsJsonArray("gpus").get(0).getAsJsonObject().getAsJsonObject("avg").get("gpuUtilPercent").getAsDouble())
                    .isEqualTo(97.5);
            assertThat(h.getAsJsonArray("absent").get(0).getAsJsonObject().get("why").getAsString()).isEqualTo("no USB bus");
            assertThat(got.getAsJsonObject("verification").get("signature").getAsString()).isEqualTo("valid");
        }
    }
}
