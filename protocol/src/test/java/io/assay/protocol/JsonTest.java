package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.api.ReportBatch;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void reportRoundTrips() {
        Report report = Fixtures.report("h-9", 3, "c".repeat(64));
        assertThat(Json.fromBytes(Json.toBytes(report), Report.class)).isEqualTo(report);
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
