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

    static WireSample wire(ProcessSnapshot p, int port, List<String> out, List<String> in, boolean tls) {
        return new WireSample(p.key(), "127.0.0.1:" + port, port, 400, 900, 4, 6, out, in, tls, 12, false);
    }

    static List<Finding> closer(Judge judge, Window w, int second, List<WireSample> wire, List<MemoryScan> mem) {
        return judge.observeCloser(w, new CloserLook(T0.plusSeconds(second), List.of(), wire, mem, List.of()));
    }

    @Test
    void stratumOnTheWireIsASignatureOnAnyPortAndNamesMessagesOnly() {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        ProcessSnapshot p = process(73, "/usr/sbin/metricsd", 0);
        judge.observe(w, tick(0, p, 80, List.of()));
        List<Finding> fast = closer(judge, w, 0, List.of(wire(p, 80,
                List.of("{\"id\":7,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"1\",\"job_id\":\"5\",\"nonce\":\"0a0b0c0d\",\"result\":\"ff\"}}"),
                List.of("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"0707\",\"job_id\":\"6\",\"target\":\"b88d0600\"}}"),
                false)), List.of());
        assertThat(fast).extracting(Finding::ruleId).containsExactly("sig.net.stratum");
        assertThat(fast.get(0).matched()).containsExactly("127.0.0.1:80", "submit (sent)", "job (received)");
    }

    @Test
    void jsonLinesOfAnotherProtocolOnAPoolPortAreNotStratum() {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        ProcessSnapshot p = process(74, "/opt/jobs/bin/jobworker", 0);
        judge.observe(w, tick(0, p, 4444, List.of()));
        assertThat(closer(judge, w, 0, List.of(wire(p, 4444, List.of("{\"op\":\"fetch\",\"worker\":\"render-7\",\"done\":3}",
                "{\"method\":\"login\",\"user\":\"bob\"}"), List.of("{\"task\":4,\"scene\":\"atrium\",\"frames\":[4,5]}"), false)),
                List.of())).isEmpty();
    }

    @Test
    void tlsIsJudgedByTheOtherSignals() {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        for (int i = 0; i <= 5; i++) {
            ProcessSnapshot p = process(75, "/opt/jobs/bin/jobworker", 100L * i);
            judge.observe(w, tick(i, p, 3333, List.of()));
            closer(judge, w, i, List.of(wire(p, 3333, List.of(), List.of(), true)), List.of());
        }
        Assessment a = judge.close(w, T0.plusSeconds(5), List.of(), Allowlist.EMPTY, "", List.of());
        assertThat(a.findings()).extracting(Finding::ruleId).containsExactlyInAnyOrder("beh.cpu.sustained", "beh.net.pool-port",
                "beh.net.encrypted-flow");
        assertThat(a.verdict()).as("load and an encrypted pool-shaped flow are not enough").isEqualTo(Verdict.SUSPECT);

        ProcessSnapshot q = process(76, "/opt/jobs/bin/jobworker", 0);
        judge.observe(w, tick(6, q, 3333, List.of(new Tick.ExeScan(q.key(), "cd".repeat(32),
                Set.of("XMRig", "stratum+ssl://", "mining.subscribe", "randomx")))));
        closer(judge, w, 6, List.of(wire(q, 3333, List.of(), List.of(), true)), List.of());
        Assessment b = judge.close(w, T0.plusSeconds(7), List.of(), Allowlist.EMPTY, "", List.of());
        assertThat(b.verdict()).as("with miner code in the file").isEqualTo(Verdict.MINING);
    }

    @Test
    void memoryWithStratumTemplatesAndAWalletIsASignatureWithOnlyAnExcerpt() {
        Judge judge = new Judge(RULES);
        Window w = new Window();
        ProcessSnapshot p = process(77, "/usr/sbin/metricsd", 0);
        judge.observe(w, tick(0, p, 80, List.of()));
        String wallet = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        List<Finding> fast = closer(judge, w, 0, List.of(), List.of(new MemoryScan(p.key(),
                Set.of("\"method\":\"login\"", "\"method\":\"submit\"", "\"job_id\""), List.of(wallet, "4" + "1".repeat(94)), 4096, true)));
        assertThat(fast).extracting(Finding::ruleId).containsExactlyInAnyOrder("sig.mem.miner-strings", "sig.mem.wallet");
        Finding wf = fast.stream().filter(f -> f.ruleId().equals("sig.mem.wallet")).findFirst().orElseThrow();
        assertThat(wf.matched()).hasSize(1);
        assertThat(wf.matched().get(0)).startsWith("XMR 44AFFq").doesNotContain(wallet);
    }
}
