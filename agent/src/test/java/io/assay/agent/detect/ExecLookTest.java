package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exec look on real processes: a detector that has sampled the host once is asked to look at just
 * a newly started program, and judges it with the same sources and rules as a tick.
 */
@Tag("slow")
class ExecLookTest {
    @TempDir Path dir;

    private static String describe(List<Finding> fs) {
        return fs.stream().map(f -> f.ruleId() + "[" + f.pid() + "]").collect(Collectors.joining(", "));
    }

    @Test
    void aMinerLookedAtOnExecIsASignatureAtOnceAndTheWindowIsMining() throws Exception {
        Path miner = TestMiner.compile(dir, false);
        try (FakePool pool = new FakePool(0); HostDetector d = Detectors.builtIn(HostDetector.Roots.system())) {
            d.observe(Instant.now()); // the periodic tick, before the miner exists
            Process p = new ProcessBuilder(miner.toString(), "-o", "127.0.0.1:" + pool.port(), "-u", "w1", "--donate-level", "1",
                    "--threads", "1", "--throttle").redirectErrorStream(true).start();
            try {
                TestMiner.awaitStarted(p);
                List<Finding> urgent = d.observeNew(Instant.now(), Set.of((int) p.pid()));
                assertThat(urgent).as(describe(urgent)).anyMatch(f -> f.pid() == p.pid() && f.kind() == Finding.Kind.SIGNATURE);
                assertThat(urgent).extracting(Finding::ruleId).contains("sig.exe.miner-strings", "sig.cmdline.miner");
                Assessment a = d.closeWindow(Instant.now());
                assertThat(a.verdict()).isEqualTo(Verdict.MINING);
                assertThat(a.findings()).anyMatch(f -> f.pid() == p.pid() && f.ruleId().equals("sig.exe.miner-strings"));
                assertThat(d.observeNew(Instant.now(), Set.of((int) p.pid()))).as("a finding is urgent once").isEmpty();
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aShellThatExecsAMinerIsJudgedAgainAsTheNewProgram() throws Exception {
        Path miner = TestMiner.compile(dir, false);
        try (FakePool pool = new FakePool(0); HostDetector d = Detectors.builtIn(HostDetector.Roots.system())) {
            d.observe(Instant.now());
            // the same pid and start time before and after the exec: one process key, two programs
            // the program comes through the environment: the shell's own command line shows nothing of it
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "read go; exec $PROGRAM").redirectErrorStream(true);
            pb.environment().put("PROGRAM", miner + " -o 127.0.0.1:" + pool.port() + " -u w1 --donate-level 1 --threads 1 --throttle");
            Process p = pb.start();
            try {
                assertThat(d.observeNew(Instant.now(), Set.of((int) p.pid()))).as("the shell is no miner").isEmpty();
                p.getOutputStream().write("go\n".getBytes());
                p.getOutputStream().flush();
                TestMiner.awaitStarted(p);
                List<Finding> urgent = d.observeNew(Instant.now(), Set.of((int) p.pid()));
                assertThat(urgent).as(describe(urgent)).anyMatch(f -> f.pid() == p.pid() && f.ruleId().equals("sig.cmdline.miner"));
                assertThat(urgent).extracting(Finding::ruleId).contains("sig.exe.miner-strings");
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aLegitimateProgramLookedAtOnExecIsNoFindingAndTheNextTickCountsItsCpu() throws Exception {
        try (HostDetector d = Detectors.builtIn(HostDetector.Roots.system())) {
            d.observe(Instant.now());
            Process p = new ProcessBuilder("/bin/sleep", "30").start();
            try {
                Thread.sleep(100);
                assertThat(d.observeNew(Instant.now(), Set.of((int) p.pid()))).isEmpty();
                assertThat(d.observeNew(Instant.now(), Set.of(Integer.MAX_VALUE - 1))).as("a pid gone by now").isEmpty();
                assertThat(d.observe(Instant.now())).isEmpty();
                Assessment a = d.closeWindow(Instant.now());
                assertThat(a.findings()).noneMatch(f -> f.pid() == p.pid());
                assertThat(a.verdict()).isNotEqualTo(Verdict.MINING);
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
