package io.assay.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.agent.FakeClock;
import io.assay.agent.report.ReportDraft;
import io.assay.protocol.Chain;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Report;
import io.assay.protocol.ReportEvent;
import io.assay.protocol.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults of the spool's own storage, each ending in a spool that works and a chain that says what happened. */
class SpoolHealingTest {
    static final String HOST = "host-1";
    static final Ed25519Signer KEY = Ed25519Signer.generate(new SecureRandom());
    static final EventStamp STAMP = new EventStamp("test", 1, "a".repeat(64), "");

    @TempDir
    Path tmp;

    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));

    static ReportDraft draft(long startMs, Verdict verdict) {
        return new ReportDraft(startMs, startMs + 10_000, "test", 1, "a".repeat(64), "", new LoadSummary(5, 9, 6),
                List.of(), List.of(), verdict, List.of("x".repeat(200)));
    }

    Spool bound(Path file, long maxReports, long maxBytes) {
        Spool spool = Spool.open(file, clock, maxReports, maxBytes);
        spool.bind(HOST, KEY, STAMP);
        return spool;
    }

    /** Opens every pending report, checks signatures and that they form one chain; returns them. */
    static List<Report> verifiedChain(Spool spool, Optional<Chain.Link> from) throws Exception {
        List<Report> out = new ArrayList<>();
        Optional<Chain.Link> link = from;
        for (SpoolEntry e : spool.pending(100_000)) {
            Report r = Envelopes.open(e.envelope(), KEY.publicKey()).report();
            Chain.verifyNext(link, r);
            link = Optional.of(new Chain.Link(r.seq(), e.payloadHash()));
            out.add(r);
        }
        return out;
    }

    @Test
    void aTransactionThatFailedOnAFullDiskIsRolledBackAndTheSpoolWorksWhenSpaceReturns() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("small"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()) == 0,
                "needs root to mount a small tmpfs");
        try {
            try (Spool spool = bound(mnt.resolve("spool.db"), 1_000_000, Long.MAX_VALUE)) {
                spool.keepProblemFile();
                Path problemFile = ProblemFile.besides(mnt.resolve("spool.db"));
                assertThat(problemFile).hasSize(4096);
                assertThat(ProblemFile.read(problemFile)).isEmpty();
                spool.append(draft(0, Verdict.CLEAN), HOST, KEY);
                // Fill the filesystem to the last byte.
                Path filler = mnt.resolve("filler");
                try (var out = Files.newOutputStream(filler)) {
                    byte[] block = new byte[4096];
                    while (true) out.write(block);
                } catch (IOException full) {
                    // expected: no space left
                }
                int failed = 0;
                for (int i = 1; i <= 200 && failed == 0; i++) {
                    try {
                        spool.append(draft(i * 10_000L, Verdict.CLEAN), HOST, KEY);
                    } catch (SpoolException e) {
                        failed = i;
                        assertThat(e).hasMessageContaining("disk space");
                    }
                }
                assertThat(failed).as("an append fails while the disk is full").isPositive();
                long before = spool.chainEnd().orElseThrow().seq();
                // The spool cannot record its own problem now; the file beside it, rewritten in place, can.
                ProblemFile.Problem full = ProblemFile.read(problemFile).orElseThrow();
                assertThat(full.text()).startsWith("state directory " + mnt.toAbsolutePath() + " full: cannot write the spool"
                        + " (No space left on device; ");
                assertThat(full.sinceMs()).isEqualTo(clock.millis());
                assertThat(problemFile).as("never grows").hasSize(4096);
                assertThat(spool.problemNow()).contains(full);
                assertThat(spool.depth()).as("reads work on a full disk").isPositive();
                assertThat(ProblemFile.read(problemFile)).as("and do not clear the problem").contains(full);

                Files.delete(filler);
                // Space is back: the next transactions commit (before the fix: "cannot commit - no transaction is active" forever).
                assertThat(spool.append(draft(failed * 10_000L, Verdict.MINING), HOST, KEY).writtenSeqs())
                        .containsExactly(before + 1);
                assertThat(ProblemFile.read(problemFile)).as("a write that works clears it").isEmpty();
                assertThat(spool.problemNow()).isEmpty();
                assertThat(problemFile).hasSize(4096);
                spool.recordError("network: test");
                List<Report> chain = verifiedChain(spool, Optional.empty());
                assertThat(chain).hasSize((int) before + 1);
                assertThat(chain.get(chain.size() - 1).verdict()).isEqualTo(Verdict.MINING);
            }
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }

    @Test
    void anUnreadablePendingReportIsQuarantinedAndReplacedByASignedGap() throws Exception {
        Path file = tmp.resolve("spool.db");
        try (Spool spool = bound(file, 1000, Long.MAX_VALUE)) {
            for (int i = 0; i < 5; i++) spool.append(draft(i * 10_000L, i == 2 ? Verdict.MINING : Verdict.CLEAN), HOST, KEY);
        }
        // 1,500 bytes overwritten inside report 3's envelope; SQLite's own structure stays intact.
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.createStatement().executeUpdate("UPDATE reports SET envelope = substr(envelope, 1, 40) || '"
                    + "#".repeat(1500) + "' || substr(envelope, 1541) WHERE seq = 3");
        }
        try (Spool spool = bound(file, 1000, Long.MAX_VALUE)) {
            List<Report> chain = verifiedChain(spool, Optional.empty());
            assertThat(chain).extracting(Report::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
            Report gap = chain.get(2);
            assertThat(gap.events()).singleElement().satisfies(e -> {
                assertThat(e.kind()).isEqualTo(ReportEvent.Kind.GAP);
                assertThat(e.firstSeq()).isEqualTo(3);
                assertThat(e.reason()).contains("seq 3").contains("quarantine");
            });
            assertThat(gap.verdict()).as("the lost report was indexed MINING: the gap never reads lower")
                    .isEqualTo(Verdict.MINING);
            assertThat(gap.windowStartMs()).isEqualTo(20_000);
            assertThat(chain.get(3).events()).isEmpty();
            assertThat(spool.status().quarantined()).isEqualTo(1);
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                var rs = c.createStatement().executeQuery("SELECT seq, envelope FROM quarantine")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(3);
            assertThat(rs.getString(2)).as("kept byte for byte as evidence").contains("#".repeat(1500));
        }
    }

    @Test
    void aFullSpoolFoldsOldCleanReportsIntoASignedSummaryAndNeverDropsMining() throws Exception {
        try (Spool spool = bound(tmp.resolve("spool.db"), 1_000_000, 40_000)) {
            List<Integer> miningAt = List.of(7, 30, 55);
            List<Long> shed = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                AppendResult r = spool.append(draft(i * 10_000L, miningAt.contains(i) ? Verdict.MINING : Verdict.CLEAN),
                        HOST, KEY);
                if (r.shed()) shed.add((long) i);
            }
            assertThat(spool.status().bytes()).isLessThan(40_000 + 5_000);
            List<Report> chain = verifiedChain(spool, Optional.empty());
            assertThat(chain.stream().filter(r -> r.verdict() == Verdict.MINING).map(Report::windowStartMs))
                    .as("every MINING window is still there").containsExactly(70_000L, 300_000L, 550_000L);
            List<ReportEvent> summaries = chain.stream().flatMap(r -> r.events().stream())
                    .filter(e -> e.kind() == ReportEvent.Kind.SUMMARY).toList();
            assertThat(summaries).isNotEmpty();
            long folded = summaries.stream().mapToLong(e -> e.payloadHashes().size()).sum();
            assertThat(summaries).allSatisfy(e -> {
                assertThat(e.verdictCounts()).containsOnlyKeys("CLEAN");
                assertThat(e.payloadHashes()).hasSize((int) (e.lastSeq() - e.firstSeq() + 1));
            });
            // Every window is accounted for: kept, folded into a summary, or shed (and then counted).
            long windows = chain.stream().filter(r -> r.events().isEmpty()).count();
            assertThat(windows + folded + shed.size()).isEqualTo(120);
        }
    }

    @Test
    void aCorruptSpoolIsMovedAsideIntactAndTheNewChainStartsWithASignedGap() throws Exception {
        Path file = tmp.resolve("spool.db");
        byte[] garbage = "not a database, but what an operator must be able to inspect".repeat(200).getBytes();
        Files.write(file, garbage);
        try (Spool spool = Spool.openReplacingCorrupt(file, clock, 1000, Long.MAX_VALUE)) {
            spool.bind(HOST, KEY, STAMP);
            spool.recordStart("cfg-1");
            List<Report> chain = verifiedChain(spool, Optional.empty());
            assertThat(chain.get(0).events()).singleElement().satisfies(e -> {
                assertThat(e.kind()).isEqualTo(ReportEvent.Kind.GAP);
                assertThat(e.reason()).contains("corrupt").contains("moved aside");
            });
            assertThat(chain.get(1).events().get(0).kind()).isEqualTo(ReportEvent.Kind.START);
        }
        Path aside = Path.of(file + ".corrupt-" + clock.millis());
        assertThat(Files.readAllBytes(aside)).isEqualTo(garbage);
        // A plain open (status) never moves anything: only the daemon's open does.
        Files.write(file, garbage);
        assertThatThrownBy(() -> Spool.open(file, clock, 10)).isInstanceOf(SpoolException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    }

    @Test
    void lifecycleRecordsStartStopAndACrashAsTheTimeTheAgentWasDown() throws Exception {
        Path file = tmp.resolve("spool.db");
        try (Spool spool = bound(file, 1000, Long.MAX_VALUE)) {
            spool.recordStart("cfg-1");
            spool.append(draft(clock.millis(), Verdict.CLEAN), HOST, KEY);
            clock.advance(Duration.ofSeconds(10));
            spool.recordStop("SIGTERM");
        }
        clock.advance(Duration.ofMinutes(1));
        long windowEnd;
        try (Spool spool = bound(file, 1000, Long.MAX_VALUE)) {
            spool.recordStart("cfg-1");
            spool.append(draft(clock.millis(), Verdict.CLEAN), HOST, KEY);
            windowEnd = clock.millis() + 10_000;
            // killed -9 here: no stop
        }
        clock.advance(Duration.ofMinutes(5));
        try (Spool spool = bound(file, 1000, Long.MAX_VALUE)) {
            spool.recordStart("cfg-2");
            List<Report> chain = verifiedChain(spool, Optional.empty());
            List<ReportEvent.Kind> kinds = chain.stream()
                    .map(r -> r.events().isEmpty() ? null : r.events().get(0).kind()).toList();
            assertThat(kinds).containsExactly(ReportEvent.Kind.START, null, ReportEvent.Kind.STOP,
                    ReportEvent.Kind.START, null, ReportEvent.Kind.CRASH, ReportEvent.Kind.START,
                    ReportEvent.Kind.CONFIG);
            Report crash = chain.get(5);
            assertThat(crash.windowStartMs()).as("down from the end of the last closed window").isEqualTo(windowEnd);
            assertThat(crash.windowEndMs()).isEqualTo(clock.millis());
            assertThat(crash.verdict()).isEqualTo(Verdict.DEGRADED);
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
