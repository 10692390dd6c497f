package io.assay.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.detect.Assessment;
import io.assay.agent.sample.CpuLoad;
import io.assay.agent.sample.ExecutableHasher;
import io.assay.agent.sample.ProcessObservation;
import io.assay.agent.sample.Reading;
import io.assay.protocol.Hashes;
import io.assay.protocol.ProcessSample;
import io.assay.protocol.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowAssemblerTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final AgentInfo AGENT = new AgentInfo("test", 42);

    @TempDir
    Path tmp;

    FakeDetector detector = new FakeDetector();

    WindowAssembler assembler(int topN) {
        return new WindowAssembler(detector, new ExecutableHasher(1 << 20), AGENT, Duration.ofSeconds(30), topN, T0);
    }

    static ProcessObservation proc(int pid, String name, double cpu, String exe) {
        return new ProcessObservation(pid, name, exe, name + " --flag", "root", cpu, 1000 * pid, 1000);
    }

    static Reading<CpuLoad> cpu(double p) {
        return Reading.present("cpu", new CpuLoad(p));
    }

    static Reading<List<ProcessObservation>> procs(ProcessObservation... ps) {
        return Reading.present("processes", List.of(ps));
    }

    @Test
    void closesWhenDueWithLoadTopProcessesHashesAndDetectorHashes() throws IOException {
        Path exe = tmp.resolve("busy");
        Files.write(exe, new byte[] {1, 2, 3});
        WindowAssembler w = assembler(2);
        assertThat(w.tick(T0.plusSeconds(10), cpu(20), procs(proc(1, "idle", 0, ""), proc(2, "busy", 90, exe.toString()),
                proc(3, "mid", 40, ""))).closed()).isEmpty();
        assertThat(w.tick(T0.plusSeconds(20), cpu(40), procs(proc(2, "busy", 70, exe.toString()), proc(3, "mid", 60, ""))).closed()).isEmpty();
        ReportDraft d = w.tick(T0.plusSeconds(30), cpu(60), procs(proc(3, "mid", 80, ""))).closed().orElseThrow();

        assertThat(d.windowStartMs()).isEqualTo(T0.toEpochMilli());
        assertThat(d.windowEndMs()).isEqualTo(T0.plusSeconds(30).toEpochMilli());
        assertThat(d.load().cpuAvgPercent()).isEqualTo(40.0);
        assertThat(d.load().cpuMaxPercent()).isEqualTo(60.0);
        assertThat(d.load().samples()).isEqualTo(3);
        // Shares are averaged over the window's 3 samples: mid (40+60+80)/3 = 60, busy (90+70)/3 = 53.3.
        assertThat(d.topProcesses()).extracting(ProcessSample::name).containsExactly("mid", "busy");
        assertThat(d.topProcesses().get(0).cpuPercent()).isEqualTo(60.0);
        assertThat(d.topProcesses().get(1).cpuPercent()).isCloseTo(53.33, org.assertj.core.data.Offset.offset(0.01));
        assertThat(d.topProcesses().get(1).exeSha256()).isEqualTo(Hashes.sha256Hex(new byte[] {1, 2, 3}));
        assertThat(d.topProcesses().get(0).exeSha256()).isEmpty();
        assertThat(d.rulesHash()).isEqualTo(FakeDetector.RULES_HASH);
        assertThat(d.agentVersion()).isEqualTo("test");
        assertThat(d.agentStartedMs()).isEqualTo(42);
        assertThat(d.verdict()).isEqualTo(Verdict.CLEAN);
        assertThat(d.notes()).isEmpty();
        assertThat(detector.observed).hasSize(3);
        assertThat(detector.closed).containsExactly(T0.plusSeconds(30));
        assertThat(w.windowStart()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void aClockSteppedBackClosesTheWindowAtOnceWithANoteInsteadOfFallingSilentUntilItCatchesUp() {
        WindowAssembler w = assembler(5);
        assertThat(w.tick(T0.plusSeconds(10), cpu(10), procs(proc(1, "a", 5, ""))).closed()).isEmpty();

        Instant stepped = T0.minus(Duration.ofHours(1)); // NTP stepped the clock back an hour
        ReportDraft d = w.tick(stepped, cpu(10), procs(proc(1, "a", 5, ""))).closed().orElseThrow();

        assertThat(d.windowEndMs()).isGreaterThanOrEqualTo(d.windowStartMs());
        assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("clock stepped back"));
        assertThat(w.windowStart()).isEqualTo(stepped);
        // The next window runs on the new time and closes after its normal length.
        assertThat(w.tick(stepped.plusSeconds(10), cpu(10), procs()).closed()).isEmpty();
        assertThat(w.tick(stepped.plusSeconds(30), cpu(10), procs()).closed()).isPresent();
    }

    @Test
    void aTickJustBeforeTheDueTimeClosesTheWindow() {
        WindowAssembler w = assembler(5);
        assertThat(w.tick(T0.plusSeconds(20), cpu(1), procs()).closed()).isEmpty();
        assertThat(w.isDue(T0.plusSeconds(26))).isFalse();
        assertThat(w.tick(T0.plusMillis(29_995), cpu(1), procs()).closed()).isPresent();
    }

    @Test
    void failedSamplerDegradesTheWindowWithTheReason() {
        WindowAssembler w = assembler(5);
        w.tick(T0.plusSeconds(10), Reading.absent("cpu", "ticks unavailable"), procs(proc(1, "a", 1, "")));
        ReportDraft d = w.tick(T0.plusSeconds(30), cpu(10), Reading.absent("processes", "permission denied")).closed().orElseThrow();
        assertThat(d.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(d.notes()).containsExactly("cpu: ticks unavailable", "processes: permission denied");
        assertThat(d.load().samples()).isEqualTo(1);
        // The next window starts clean.
        ReportDraft next = w.tick(T0.plusSeconds(60), cpu(10), procs(proc(1, "a", 1, ""))).closed().orElseThrow();
        assertThat(next.verdict()).isEqualTo(Verdict.CLEAN);
        assertThat(next.notes()).isEmpty();
    }

    @Test
    void miningVerdictWinsOverDegraded() {
        detector.assess(new Assessment(Verdict.MINING, List.of(FakeDetector.signatureFinding(7)), List.of("rule note")));
        WindowAssembler w = assembler(5);
        ReportDraft d = w.tick(T0.plusSeconds(30), Reading.absent("cpu", "broken"), procs()).closed().orElseThrow();
        assertThat(d.verdict()).isEqualTo(Verdict.MINING);
        assertThat(d.findings()).hasSize(1);
        assertThat(d.notes()).containsExactly("rule note", "cpu: broken");
    }

    @Test
    void urgentFindingClosesTheWindowAtOnce() {
        detector.urgentNext(List.of(FakeDetector.signatureFinding(9)));
        detector.assess(new Assessment(Verdict.MINING, List.of(FakeDetector.signatureFinding(9)), List.of()));
        WindowAssembler w = assembler(5);
        WindowAssembler.TickResult r = w.tick(T0.plusSeconds(3), cpu(99), procs(proc(9, "xmrig", 390, "")));
        assertThat(r.urgentFindings()).hasSize(1);
        ReportDraft d = r.closed().orElseThrow();
        assertThat(d.windowEndMs()).isEqualTo(T0.plusSeconds(3).toEpochMilli());
        assertThat(d.verdict()).isEqualTo(Verdict.MINING);
        assertThat(w.windowStart()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void theProcessSupplierIsReadAfterTheDetectorObserved() {
        WindowAssembler w = assembler(5);
        List<Integer> observedWhenRead = new java.util.ArrayList<>();
        w.tick(T0.plusSeconds(10), cpu(5), () -> {
            observedWhenRead.add(detector.observed.size());
            return procs(proc(4, "late", 30, ""));
        });
        ReportDraft d = w.tick(T0.plusSeconds(30), cpu(5), () -> procs(proc(4, "late", 10, ""))).closed().orElseThrow();
        assertThat(observedWhenRead).containsExactly(1);
        assertThat(d.topProcesses()).singleElement().satisfies(p -> assertThat(p.cpuPercent()).isEqualTo(20.0));
    }

    @Test
    void throwingDetectorDegradesInsteadOfStopping() {
        detector.failObserve = new IllegalStateException("rules broken");
        WindowAssembler w = assembler(5);
        ReportDraft d = w.tick(T0.plusSeconds(30), cpu(1), procs()).closed().orElseThrow();
        assertThat(d.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(d.notes()).singleElement().asString().contains("detector").contains("rules broken");
    }
}
