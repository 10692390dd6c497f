package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.api.ReportBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void reportRoundTrips() {
        Report report = Fixtures.report("h-9", 3, "c".repeat(64));
        assertThat(Json.fromBytes(Json.toBytes(report), Report.class)).isEqualTo(report);
    }

    @Test
    void aReportWithoutAddressesFromAnOlderAgentReadsAsNoAddresses() {
        Report report = Fixtures.report("h-9", 3, "c".repeat(64));
        String json = Json.toJson(report);
        assertThat(json).contains("\"addresses\":[]");
        String older = json.replace(",\"addresses\":[]", "");
        assertThat(older).doesNotContain("addresses");
        assertThat(Json.fromJson(older, Report.class).addresses()).isEmpty();
        Report withAddresses = new Report(report.formatVersion(), report.hostId(), report.seq(), report.prev(),
                report.windowStartMs(), report.windowEndMs(), report.agentVersion(), report.agentStartedMs(),
                report.rulesHash(), report.allowlistHash(), report.load(), report.topProcesses(), report.findings(),
                report.verdict(), report.notes(), Hardware.NONE, List.of(), List.of("10.1.2.3", "2001:db8::5"));
        assertThat(Json.fromBytes(Json.toBytes(withAddresses), Report.class)).isEqualTo(withAddresses);
    }

    @Test
    void nonJsonIsAProtocolError() {
        assertThatThrownBy(() -> Json.fromJson("not json at all", ReportBatch.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("ReportBatch");
    }

    @Test
    void trailingGarbageIsRefused() {
        assertThatThrownBy(() -> Json.fromJson("{\"reports\":[]} trailing", ReportBatch.class))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void missingFieldsAreNamed() {
        assertThatThrownBy(() -> Json.fromJson("{}", ReportBatch.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("reports");
    }

    @Test
    void unknownFormatVersionIsRefused() {
        String json = Json.toJson(Fixtures.report("h", 1, "")).replace("\"formatVersion\":1", "\"formatVersion\":7");
        assertThatThrownBy(() -> Json.fromJson(json, Report.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("formatVersion 7");
    }
}
