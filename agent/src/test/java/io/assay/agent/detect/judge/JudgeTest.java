package io.assay.agent.detect.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.detect.Allowlist;
import io.assay.agent.detect.Assessment;
import io.assay.agent.detect.RuleSource;
import io.assay.agent.detect.Rules;
import io.assay.agent.evidence.HostProbe;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The judge over observations made by the test: no host, no clock. */
class JudgeTest {
    static final Rules RULES = builtIn();
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final long SOCKET = 4242;

    static Rules builtIn() {
        return Rules.parse(RuleSource.BUILT_IN, new String(RuleSource.readBuiltIn(), StandardCharsets.UTF_8));
    }

    static ProcessSnapshot process(int pid, String exe, long cpuTicks) {
        return new ProcessSnapshot(pid, 1, "jobworker", 'R', 0, 100, cpuTicks, 0, 1000, "build", exe, ProcessSnapshot.Access.OK,
                List.of(exe), "/", "0::/system.slice/jobs.service", 0, 10 << 20, Set.of(SOCKET), List.of(), true);
    }

    static HostProbe.HostState host(long busy) {
        return new HostProbe.HostState(Optional.of(new ProcParsers.CpuTimes(busy, busy + 100_000, 100_000)), 1_700_000_000L, 0, 2 << 20,
                0, false, "", false, "", 32768);
    }

    static Tick tick(int second, ProcessSnapshot p, int remotePort, List<Tick.ExeScan> scans) {
        var conn = new ProcParsers.TcpConnection("127.0.0.1", 50000, "127.0.0.1", remotePort, ProcParsers.TcpState.ESTABLISHED, 1000,
                SOCKET);
        return new Tick(T0.plusSeconds(second), host(p.cpuTicks()), List.of(p), Map.of(p.pid(), List.of(conn)), scans, List.of(),
                List.of());
    }

    /** A process busy for {@code seconds} ticks (one core: 100 ticks a second) connected to {@code port}. */
    static Assessment busyWorker(String exe, int port, int seconds) {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        for (int i = 0; i <= seconds; i++) judge.observe(w, tick(i, process(70, exe, 100L * i), port, List.of()));
        return judge.close(w, T0.plusSeconds(seconds), List.of(), Allowlist.EMPTY, "", List.of());
    }

    @Test
    void aBusyClientOfAServerOnAPoolPortIsSuspectNotMining() {
        Assessment a = busyWorker("/opt/jobs/bin/jobworker", 4444, 5);
        assertThat(a.findings()).extracting(Finding::ruleId).containsExactlyInAnyOrder("beh.cpu.sustained", "beh.net.pool-port");
        assertThat(a.verdict()).isEqualTo(Verdict.SUSPECT);
        assertThat(Verdicts.ofProcesses(a.findings())).containsEntry(70, Verdict.SUSPECT);
    }

    @Test
    void thePoolPortWithABehaviourOtherThanLoadIsASignature() {
        Assessment a = busyWorker("/tmp/.x/jobworker", 4444, 5);
        assertThat(a.findings()).extracting(Finding::ruleId).contains("beh.exe.location", "sig.net.pool-endpoint");
        assertThat(a.verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void minerStringsInTheExecutableAreASignatureReportedOnce() {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        ProcessSnapshot p = process(71, "/usr/sbin/cachesvc", 0);
        var scan = new Tick.ExeScan(p.key(), "ab".repeat(32), Set.of("XMRig", "stratum+tcp://", "mining.subscribe", "randomx"));
        List<Finding> fast = judge.observe(w, tick(0, p, 8080, List.of(scan)));
        assertThat(fast).extracting(Finding::ruleId).containsExactly("sig.exe.miner-strings");
        assertThat(fast.get(0).exeSha256()).isEqualTo("ab".repeat(32));
        assertThat(judge.observe(w, tick(1, p, 8080, List.of()))).isEmpty();
        assertThat(judge.inQuestion(w)).containsExactly(p.key());
        Assessment a = judge.close(w, T0.plusSeconds(2), List.of(), Allowlist.EMPTY, "", List.of());
        assertThat(a.verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void aDegradingNoteMakesTheWindowDegradedUnlessMining() {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        ProcessSnapshot p = process(72, "/usr/bin/sleep", 0);
        judge.observe(w, new Tick(T0, host(0), List.of(p), Map.of(), List.of(), List.of(),
                List.of(SourceNote.degrading("cannot read /proc/net/tcp"), SourceNote.informational("capture switched off"))));
        Assessment a = judge.close(w, T0.plusSeconds(1), List.of(), Allowlist.EMPTY, "", List.of());
        assertThat(a.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(a.notes()).contains("cannot read /proc/net/tcp", "capture switched off");
        Assessment next = judge.close(w, T0.plusSeconds(2), List.of(), Allowlist.EMPTY, "", List.of());
        assertThat(next.verdict()).as("no observation in the next window").isEqualTo(Verdict.DEGRADED);
        assertThat(next.notes()).noneMatch(n -> n.contains("net/tcp"));
    }
}
