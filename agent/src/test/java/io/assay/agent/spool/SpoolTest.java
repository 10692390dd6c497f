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
import io.assay.protocol.Verdict;
import io.assay.protocol.VerificationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    static final String HOST = "host-1";
    static final Ed25519Signer KEY = Ed25519Signer.generate(new SecureRandom());

    @TempDir
    Path tmp;

    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));

    Path db() {
        return tmp.resolve("spool.db");
    }

    static ReportDraft draft(long startMs) {
        return new ReportDraft(startMs, startMs + 60_000, "test", 1, "a".repeat(64), "", new LoadSummary(5, 9, 6),
                List.of(), List.of(), Verdict.CLEAN, List.of());
    }

    /** Acknowledges {@code seqs} as the collector would: by seq and the payload hash the spool holds. */
    static int ack(Spool spool, Long... seqs) {
        java.util.Map<Long, String> hashes = new java.util.HashMap<>();
        for (SpoolEntry e : spool.pending(10_000)) {
            if (List.of(seqs).contains(e.seq())) hashes.put(e.seq(), e.payloadHash());
        }
        return spool.markAcked(hashes);
    }

    static Report open(SpoolEntry e) throws VerificationException {
        return Envelopes.open(e.envelope(), KEY.publicKey()).report();
    }

    @Test
    void appendChainsSeqAndPrevAndSigns() throws Exception {
        try (Spool spool = Spool.open(db(), clock, 100)) {
            for (int i = 0; i < 3; i++) assertThat(spool.append(draft(i * 60_000L), HOST, KEY).writtenSeqs()).containsExactly(i + 1L);
            List<SpoolEntry> pending = spool.pending(10);
            assertThat(pending).extracting(SpoolEntry::seq).containsExactly(1L, 2L, 3L);
            Optional<Chain.Link> link = Optional.empty();
            for (SpoolEntry e : pending) {
                Report r = open(e);
                Chain.verifyNext(link, r);
                assertThat(r.hostId()).isEqualTo(HOST);
                link = Optional.of(new Chain.Link(r.seq(), e.payloadHash()));
            }
            assertThat(spool.chainEnd()).isEqualTo(link);
            assertThat(spool.depth()).isEqualTo(3);
            assertThat(spool.pending(2)).hasSize(2);
        }
    }

    @Test
    void survivesReopenAndNeverReusesASeqEvenAfterPurge() throws Exception {
        String hashOf2;
        try (Spool spool = Spool.open(db(), clock, 100)) {
            spool.append(draft(0), HOST, KEY);
            spool.append(draft(60_000), HOST, KEY);
            hashOf2 = spool.pending(10).get(1).payloadHash();
            ack(spool, 1L, 2L);
            clock.advance(Duration.ofDays(2));
            assertThat(spool.purgeAcked(clock.instant().minus(Duration.ofDays(1))))
                    .as("the newest acknowledged report stays: a damaged successor is re-chained to it").isEqualTo(1);
            assertThat(spool.depth()).isZero();
        }
        try (Spool spool = Spool.open(db(), clock, 100)) {
            assertThat(spool.chainEnd()).contains(new Chain.Link(2, hashOf2));
            spool.append(draft(120_000), HOST, KEY);
            SpoolEntry third = spool.pending(10).get(0);
            assertThat(third.seq()).isEqualTo(3);
            assertThat(open(third).prev()).isEqualTo(hashOf2);
            assertThat(spool.status().lastAckSeq()).isEqualTo(2);
        }
    }

    @Test
    void purgeKeepsUnackedAndRecentlyAckedReports() {
        try (Spool spool = Spool.open(db(), clock, 100)) {
            for (int i = 0; i < 4; i++) spool.append(draft(i * 60_000L), HOST, KEY);
            ack(spool, 1L);
            clock.advance(Duration.ofHours(10));
            ack(spool, 2L);
            clock.advance(Duration.ofHours(20));
            // seq 1 acked 30h ago, seq 2 acked 20h ago; retention 24h.
            assertThat(spool.purgeAcked(clock.instant().minus(Duration.ofHours(24)))).isEqualTo(1);
            assertThat(spool.pending(10)).extracting(SpoolEntry::seq).containsExactly(3L, 4L);
            assertThat(ack(spool, 2L, 3L)).as("2 already acked").isEqualTo(1);
        }
    }

    @Test
    void shedsWhenFullThenWritesOneSignedGapReport() throws Exception {
        try (Spool spool = Spool.open(db(), clock, 10)) {
            for (int i = 0; i < 10; i++) spool.append(draft(i * 60_000L), HOST, KEY);
            List<AppendResult> shed = new ArrayList<>();
            for (int i = 10; i < 13; i++) shed.add(spool.append(draft(i * 60_000L), HOST, KEY));
            assertThat(shed).allSatisfy(r -> {
                assertThat(r.shed()).isTrue();
                assertThat(r.writtenSeqs()).isEmpty();
            });
            assertThat(spool.depth()).isEqualTo(10);
            assertThat(spool.status().shedPending()).isEqualTo(3);
            // Old reports are untouched.
            assertThat(spool.pending(100)).extracting(SpoolEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);

            ack(spool, 1L, 2L, 3L);
            AppendResult next = spool.append(draft(13 * 60_000L), HOST, KEY);
            assertThat(next.shed()).isFalse();
            assertThat(next.writtenSeqs()).containsExactly(11L, 12L);
            List<SpoolEntry> pending = spool.pending(100);
            Report gap = open(pending.get(pending.size() - 2));
            assertThat(gap.seq()).isEqualTo(11);
            assertThat(gap.verdict()).isEqualTo(Verdict.DEGRADED);
            assertThat(gap.windowStartMs()).isEqualTo(10 * 60_000L);
            assertThat(gap.windowEndMs()).isEqualTo(13 * 60_000L);
            assertThat(gap.notes()).singleElement().asString()
                    .contains("3 report window(s)").contains("1970-01-01T00:10:00Z").contains("1970-01-01T00:13:00Z")
                    .contains("spool.max.reports");
            Report after = open(pending.get(pending.size() - 1));
            assertThat(after.prev()).isEqualTo(pending.get(pending.size() - 2).payloadHash());
            assertThat(spool.status().shedPending()).isZero();
        }
    }

    @Test
    void countsStartsAndKeepsTheLastErrorAndReport() {
        try (Spool spool = Spool.open(db(), clock, 10)) {
            assertThat(spool.recordStart()).isEqualTo(1);
            spool.append(draft(0), HOST, KEY);
            spool.recordError("seq-reused (409): fork");
        }
        try (Spool spool = Spool.open(db(), clock, 10)) {
            assertThat(spool.recordStart()).isEqualTo(2);
            SpoolStatus s = spool.status();
            assertThat(s.starts()).isEqualTo(2);
            assertThat(s.lastReportSeq()).isEqualTo(1);
            assertThat(s.lastReportVerdict()).isEqualTo("CLEAN");
            assertThat(s.lastReportMs()).isEqualTo(clock.millis());
            assertThat(s.error()).contains("seq-reused (409): fork");
            assertThat(s.depth()).isEqualTo(1);
        }
    }

    @Test
    void refusesAnotherHostsChain() {
        try (Spool spool = Spool.open(db(), clock, 10)) {
            spool.append(draft(0), HOST, KEY);
            assertThatThrownBy(() -> spool.append(draft(60_000), "host-2", KEY))
                    .isInstanceOf(SpoolException.class).hasMessageContaining("host-1").hasMessageContaining("host-2");
            assertThat(spool.depth()).isEqualTo(1);
        }
    }

    @Test
    void isDurableWalWithFullSync() throws Exception {
        try (Spool spool = Spool.open(db(), clock, 10)) {
            spool.append(draft(0), HOST, KEY);
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db());
                var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
        // synchronous is per connection; check the one the spool keeps.
        try (Spool spool = Spool.open(db(), clock, 10)) {
            var f = Spool.class.getDeclaredField("conn");
            f.setAccessible(true);
            try (var rs = ((java.sql.Connection) f.get(spool)).createStatement().executeQuery("PRAGMA synchronous")) {
                rs.next();
                assertThat(rs.getInt(1)).as("2 = FULL").isEqualTo(2);
            }
        }
    }

    @Test
    void peekStatusReadsWithoutTheWriter() {
        try (Spool spool = Spool.open(db(), clock, 10)) {
            spool.append(draft(0), HOST, KEY);
            assertThat(Spool.peekStatus(db(), clock).depth()).as("while the writer has it open").isEqualTo(1);
        }
        assertThat(Spool.peekStatus(db(), clock).lastReportSeq()).isEqualTo(1);
    }

    @Test
    void corruptFileGivesAClearError() throws IOException {
        Files.write(db(), "this is not a database, just some text that is long enough to matter...".repeat(100).getBytes());
        assertThatThrownBy(() -> Spool.open(db(), clock, 10))
                .isInstanceOf(SpoolException.class)
                .hasMessageContaining(db().toString())
                .hasMessageContaining("move it aside");
    }

    @Test
    void missingDirectoryGivesAClearError() {
        assertThatThrownBy(() -> Spool.open(tmp.resolve("no/such/dir/spool.db"), clock, 10))
                .isInstanceOf(SpoolException.class).hasMessageContaining("directory does not exist");
    }
}
