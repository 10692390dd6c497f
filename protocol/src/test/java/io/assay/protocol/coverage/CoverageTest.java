package io.assay.protocol.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Verdict;
import io.assay.protocol.coverage.Coverage.Covered;
import io.assay.protocol.coverage.Coverage.Gap;
import io.assay.protocol.coverage.CoverageInput.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CoverageTest {
    private static final long M = 60_000;
    private static final long RUN = 1_000;

    private static List<Entry> minutes(long firstSeq, long fromMinute, int count, Verdict v, long run) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long s = (fromMinute + i) * M;
            out.add(Entry.report(firstSeq + i, s, s + M, v, run, true));
        }
        return out;
    }

    @Test
    void contiguousReportsCoverThePeriod() {
        Coverage c = Coverage.compute(new CoverageInput(0, 10 * M, 0, 0, minutes(1, 0, 10, Verdict.CLEAN, RUN)));
        assertThat(c.gaps()).isEmpty();
        assertThat(c.covered()).containsExactly(new Covered(0, 10 * M, Verdict.CLEAN, 1, 10));
        assertThat(c.coveredMs()).isEqualTo(10 * M);
        assertThat(c.msByVerdict()).isEqualTo(Map.of(Verdict.CLEAN, 10 * M));
        assertThat(c.isComplete()).isTrue();
    }

    @Test
    void namesEachKindOfGap() {
        List<Entry> e = new ArrayList<>(minutes(1, 2, 2, Verdict.CLEAN, RUN)); // minutes 2,3 (enrolled at 2)
        e.addAll(minutes(3, 5, 1, Verdict.CLEAN, RUN));                          // minute 4 silent
        e.addAll(minutes(4, 7, 1, Verdict.CLEAN, 2_000));                       // minute 6: restarted
        e.add(Entry.report(6, 9 * M, 10 * M, Verdict.CLEAN, 2_000, false));     // minute 8: seq 5 missing
        Coverage c = Coverage.compute(new CoverageInput(0, 12 * M, 2 * M, 0, e)); // minutes 10, 11: silent tail
        assertThat(c.gaps()).containsExactly(
                new Gap(0, 2 * M, GapReason.NOT_ENROLLED),
                new Gap(4 * M, 5 * M, GapReason.AGENT_SILENT),
                new Gap(6 * M, 7 * M, GapReason.AGENT_RESTARTED),
                new Gap(8 * M, 9 * M, GapReason.CHAIN_BROKEN),
                new Gap(10 * M, 12 * M, GapReason.AGENT_SILENT));
        assertThat(c.coveredMs()).isEqualTo(5 * M);
    }

    @Test
    void theWorstVerdictWinsWhereReportsOverlap() {
        List<Entry> e = List.of(Entry.report(1, 0, 4 * M, Verdict.CLEAN, RUN, true),
                Entry.report(2, 1 * M, 2 * M, Verdict.MINING, RUN, true));
        Coverage c = Coverage.compute(new CoverageInput(0, 4 * M, 0, 0, e));
        assertThat(c.covered()).containsExactly(new Covered(0, M, Verdict.CLEAN, 1, 1),
                new Covered(M, 2 * M, Verdict.MINING, 2, 2), new Covered(2 * M, 4 * M, Verdict.CLEAN, 1, 1));
        assertThat(c.msByVerdict()).isEqualTo(Map.of(Verdict.CLEAN, 3 * M, Verdict.MINING, M));
    }

    @Test
    void lifecycleEntriesMarkGapsWithTheirReason() {
        List<Entry> e = new ArrayList<>(minutes(1, 0, 1, Verdict.CLEAN, RUN));
        e.add(new Entry(2, M, 3 * M, Optional.empty(), Optional.of(GapReason.SHED), RUN, true));
        e.addAll(minutes(3, 3, 1, Verdict.CLEAN, RUN));
        Coverage c = Coverage.compute(new CoverageInput(0, 4 * M, 0, 0, e));
        assertThat(c.gaps()).containsExactly(new Gap(M, 3 * M, GapReason.SHED));
    }

    @Test
    void jitterWithinSlackIsNotAGapButBeyondItIs() {
        List<Entry> e = List.of(Entry.report(1, 0, M - 400, Verdict.CLEAN, RUN, true),
                Entry.report(2, M, 2 * M - 2_000, Verdict.CLEAN, RUN, true),
                Entry.report(3, 2 * M, 3 * M, Verdict.CLEAN, RUN, true));
        Coverage c = Coverage.compute(new CoverageInput(0, 3 * M, 0, 1_000, e));
        assertThat(c.gaps()).containsExactly(new Gap(2 * M - 2_000, 2 * M, GapReason.AGENT_SILENT));
        assertThat(c.covered()).containsExactly(new Covered(0, 2 * M - 2_000, Verdict.CLEAN, 1, 2),
                new Covered(2 * M, 3 * M, Verdict.CLEAN, 3, 3));
    }

    @Test
    void aPeriodWithNoReportIsOneGap() {
        Coverage c = Coverage.compute(new CoverageInput(0, M, 0, 0, List.of()));
        assertThat(c.gaps()).containsExactly(new Gap(0, M, GapReason.AGENT_SILENT));
        assertThat(c.coveredMs()).isZero();
    }
}
