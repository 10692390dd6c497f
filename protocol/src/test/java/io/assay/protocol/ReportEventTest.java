package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Event reports on the wire: they round-trip, and reports of agents before events still parse. */
class ReportEventTest {

    @Test
    void aReportWithoutTheEventsFieldParsesAsAWindowReport() {
        Report r = Fixtures.report("host-1", 1, "");
        String json = Json.toJson(r);
        assertThat(json).contains("\"events\":[]");
        String older = json.replace(",\"events\":[]", "");
        assertThat(older).doesNotContain("events");
        Report parsed = Json.fromJson(older, Report.class);
        assertThat(parsed.events()).isEmpty();
        assertThat(parsed.isEventReport()).isFalse();
        assertThat(parsed).isEqualTo(r);
    }

    @Test
    void aSummaryRoundTripsWithItsFoldedRangeCountsAndHashes() {
        ReportEvent summary = new ReportEvent(ReportEvent.Kind.SUMMARY, "3 clean reports folded", 10, 12,
                Map.of("CLEAN", 3), List.of("a".repeat(64), "b".repeat(64), "c".repeat(64)));
        Report base = Fixtures.report("host-1", 1, "");
        Report r = new Report(base.formatVersion(), base.hostId(), 10, "d".repeat(64), 0, 30_000, "t", 1,
                base.rulesHash(), "", LoadSummary.NONE, List.of(), List.of(), Verdict.CLEAN, List.of(summary.reason()),
                Hardware.NONE, List.of(summary), List.of());
        Report parsed = Json.fromJson(Json.toJson(r), Report.class);
        assertThat(parsed).isEqualTo(r);
        assertThat(parsed.isEventReport()).isTrue();
        assertThat(Json.toJson(parsed)).contains("\"kind\":\"SUMMARY\"").contains("\"firstSeq\":10");
        assertThat(parsed.withChainPosition(11, "e".repeat(64))).satisfies(m -> {
            assertThat(m.seq()).isEqualTo(11);
            assertThat(m.prev()).isEqualTo("e".repeat(64));
            assertThat(m.events()).isEqualTo(r.events());
        });
    }

    @Test
    void missingOptionalEventFieldsDefaultToEmpty() {
        ReportEvent e = Json.fromJson("{\"kind\":\"CRASH\",\"reason\":\"killed\",\"firstSeq\":0,\"lastSeq\":0}",
                ReportEvent.class);
        assertThat(e.verdictCounts()).isEmpty();
        assertThat(e.payloadHashes()).isEmpty();
        assertThat(e.kind().wireName()).isEqualTo("crash");
    }
}
