package io.assay.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.detect.Assessment;
import io.assay.agent.report.AgentInfo;
import io.assay.agent.report.FakeDetector;
import io.assay.agent.report.WindowAssembler;
import io.assay.agent.sample.CpuSampler;
import io.assay.agent.sample.ExecutableHasher;
import io.assay.agent.sample.ProcessSampler;
import io.assay.agent.sample.UserNames;
import io.assay.agent.detect.Detectors;
import io.assay.agent.detect.HostDetector;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolEntry;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample job run by hand with the real samplers, a real spool and a fake detector. */
class SampleJobTest {
    @TempDir
    Path tmp;

    @Test
    void spoolsWindowsWhenDueAndShipsAtOnceOnASignatureFinding() throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        FakeDetector detector = new FakeDetector();
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        // the verdict comes from the fake; the process listing from a real detector reading this host
        HostDetector listing = Detectors.builtIn(HostDetector.Roots.system());
        AtomicInteger shipNow = new AtomicInteger();
        try (Spool spool = Spool.open(tmp.resolve("spool.db"), clock, 100)) {
            WindowAssembler assembler = new WindowAssembler(detector, new ExecutableHasher(64 << 20),
                    new AgentInfo("t", 1), Duration.ofSeconds(30), 5, clock.instant());
            SampleJob job = new SampleJob(clock, new CpuSampler(Path.of("/proc")),
                    new ProcessSampler(() -> {
                        listing.observe(clock.instant());
                        return listing.lastListing();
                    }, new UserNames()), assembler, spool, "host-1", key, shipNow::incrementAndGet);

            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(10));
                job.run();
            }
            assertThat(spool.depth()).isEqualTo(1);
            assertThat(shipNow).hasValue(0);
            Report clean = Envelopes.open(spool.pending(1).get(0).envelope(), key.publicKey()).report();
            assertThat(clean.verdict()).isEqualTo(Verdict.CLEAN);
            assertThat(clean.topProcesses()).hasSize(5);
            assertThat(clean.load().samples()).isEqualTo(3);

            detector.urgentNext(List.of(FakeDetector.signatureFinding(1234)));
            detector.assess(new Assessment(Verdict.MINING, List.of(FakeDetector.signatureFinding(1234)), List.of()));
            clock.advance(Duration.ofSeconds(2));
            job.run();

            assertThat(shipNow).hasValue(1);
            List<SpoolEntry> pending = spool.pending(10);
            assertThat(pending).hasSize(2);
            Report mining = Envelopes.open(pending.get(1).envelope(), key.publicKey()).report();
            assertThat(mining.verdict()).isEqualTo(Verdict.MINING);
            assertThat(mining.windowEndMs() - mining.windowStartMs()).isEqualTo(2000);
            assertThat(mining.prev()).isEqualTo(pending.get(0).payloadHash());
        }
    }

    @Test
    void aLookOnExecWithASignatureClosesTheWindowSpoolsItAndShipsAtOnce() throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        FakeDetector detector = new FakeDetector();
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        HostDetector listing = Detectors.builtIn(HostDetector.Roots.system());
        AtomicInteger shipNow = new AtomicInteger();
        try (Spool spool = Spool.open(tmp.resolve("spool.db"), clock, 100)) {
            WindowAssembler assembler = new WindowAssembler(detector, new ExecutableHasher(64 << 20),
                    new AgentInfo("t", 1), Duration.ofSeconds(60), 5, clock.instant());
            SampleJob job = new SampleJob(clock, new CpuSampler(Path.of("/proc")),
                    new ProcessSampler(() -> {
                        listing.observe(clock.instant());
                        return listing.lastListing();
                    }, new UserNames()), assembler, spool, "host-1", key, shipNow::incrementAndGet);
            clock.advance(Duration.ofSeconds(10));
            job.run();
            clock.advance(Duration.ofSeconds(1));
            job.lookAtNew(Set.of(4321));
            assertThat(detector.lookedAt).containsExactly(Set.of(4321));
            assertThat(spool.depth()).as("a look without findings closes nothing").isZero();

            detector.urgentNext(List.of(FakeDetector.signatureFinding(1234)));
            detector.assess(new Assessment(Verdict.MINING, List.of(FakeDetector.signatureFinding(1234)), List.of()));
            clock.advance(Duration.ofSeconds(1));
            job.lookAtNew(Set.of(1234));

            assertThat(shipNow).hasValue(1);
            List<SpoolEntry> pending = spool.pending(10);
            assertThat(pending).hasSize(1);
            Report mining = Envelopes.open(pending.get(0).envelope(), key.publicKey()).report();
            assertThat(mining.verdict()).isEqualTo(Verdict.MINING);
            assertThat(mining.windowEndMs() - mining.windowStartMs()).as("closed at the look, 12 s into a 60 s window")
                    .isEqualTo(12_000);
            assertThat(mining.load().samples()).as("a look adds no sample").isEqualTo(1);
            assertThat(detector.observed).hasSize(1);
        }
    }
}
