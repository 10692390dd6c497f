package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.enroll.Enroller;
import io.assay.agent.report.ReportDraft;
import io.assay.agent.ship.Backoff;
import io.assay.agent.ship.HttpClients;
import io.assay.agent.ship.Shipper;
import io.assay.agent.spool.EventStamp;
import io.assay.agent.spool.Spool;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Report;
import io.assay.protocol.ReportEvent;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.HostIdentity;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.ingest.ReportVerification;
import io.assay.server.store.HostEvent;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Role;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's spool and shipper against a real collector on loopback whose database, or the
 * agent's own state, goes back in time: both heal without a loop and the chain says what happened.
 */
class ChainHealingTest {
    @TempDir Path tmp;

    Path db;
    Collector collector;
    int port;
    OkHttpClient http = HttpClients.create(Duration.ofSeconds(5));
    String hostId;
    String hostToken;
    Ed25519Signer key;
    long windowMs;

    @BeforeEach
    void enroll() throws Exception {
        db = tmp.resolve("assay.db");
        collector = start(0);
        port = collector.url().getPort();
        StateDir state = new StateDir(tmp.resolve("agent"));
        Files.createDirectories(state.root());
        var answer = new Enroller(http, state, new SecureRandom(), Clock.systemUTC()).enroll(collector.url().toString(),
                collector.issueToken(Role.ENROLL, "test"), new HostIdentity("h", "uuid-" + System.nanoTime(), "", List.of()),
                "test", false);
        hostId = answer.hostId();
        hostToken = state.requireEnrollment().hostToken();
        key = state.readHostKey();
    }

    @AfterEach
    void tearDown() {
        if (collector != null) collector.close();
        HttpClients.close(http);
    }

    @Test
    void aCollectorRestoredFromAnOlderBackupGetsTheReportsItLostAgain() throws Exception {
        try (Spool spool = spool(tmp.resolve("spool.db"))) {
            Shipper shipper = shipper(spool);
            windows(spool, 5);
            ship(shipper, spool);
            assertThat(collectorEnd()).isEqualTo(5);

            collector.close();
            Path backup = copyDb("backup");
            collector = start(port);
            windows(spool, 13);
            ship(shipper, spool);
            assertThat(collectorEnd()).isEqualTo(18);
            assertThat(spool.depth()).isZero();

            // The collector's database is restored from the backup 13 reports older.
            collector.close();
            restoreDb(backup);
            collector = start(port);
            windows(spool, 2);
            ship(shipper, spool);
            assertThat(collectorEnd()).as("seq-gap answered with seq 6: 6..20 sent again").isEqualTo(20);
            assertThat(spool.depth()).isZero();
        }
        assertChainVerifies(20);
        assertThat(events()).isEmpty();
        // The restored collector saw the agent's seq 19 after its chain end 5: one chain break, one alert.
        assertThat(collector.store().<List<io.assay.server.store.ChainBreak>>read(tx -> tx.listChainBreaks(hostId))).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(io.assay.server.store.ChainBreak.Kind.SEQ_GAP);
            assertThat(b.chainEnd()).isEqualTo(5);
        });
        assertThat(collector.store().<List<io.assay.server.store.AlertTables.Alert>>read(tx -> tx.alerts().listAlerts())).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(io.assay.server.store.AlertTables.Kind.CHAIN_BROKEN);
            assertThat(a.hostId()).isEqualTo(hostId);
        });
    }

    @Test
    void aCollectorThatLostReportsTheAgentNoLongerHoldsGetsASignedGap() throws Exception {
        try (Spool spool = spool(tmp.resolve("spool.db"))) {
            Shipper shipper = shipper(spool);
            windows(spool, 3);
            ship(shipper, spool);
            collector.close();
            Path backup = copyDb("backup");
            collector = start(port);
            windows(spool, 6);
            ship(shipper, spool);
            // Retention over: acknowledged reports are purged (the newest stays as the chain's anchor).
            spool.purgeAcked(Instant.now().plusSeconds(60));
            collector.close();
            restoreDb(backup);
            collector = start(port);
            windows(spool, 1);
            ship(shipper, spool);
            assertThat(spool.depth()).isZero();
        }
        long end = collectorEnd();
        assertChainVerifies(end);
        Report gap = stored(4);
        assertThat(gap.events()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ReportEvent.Kind.GAP);
            assertThat(e.reason()).contains("lost").contains("4..8");
        });
        assertThat(gap.verdict()).isEqualTo(Verdict.DEGRADED);
    }

    @Test
    void anAgentWhoseStateWasRolledBackStartsOneNewEpochInsteadOfAForkLoop() throws Exception {
        Path file = tmp.resolve("spool.db");
        Path snapshot = tmp.resolve("snapshot");
        Files.createDirectories(snapshot);
        try (Spool spool = spool(file)) {
            Shipper shipper = shipper(spool);
            windows(spool, 5);
            ship(shipper, spool);
        }
        copy(file, snapshot.resolve("spool.db")); // the VM snapshot
        try (Spool spool = spool(file)) {
            Shipper shipper = shipper(spool);
            windows(spool, 10);
            ship(shipper, spool);
            assertThat(collectorEnd()).isEqualTo(15);
        }
        copy(snapshot.resolve("spool.db"), file); // the snapshot is restored
        try (Spool spool = spool(file)) {
            Shipper shipper = shipper(spool);
            windows(spool, 3);
            ship(shipper, spool);
            assertThat(spool.depth()).isZero();
            assertThat(spool.status().epochs()).isEqualTo(1);
        }
        assertThat(collectorEnd()).as("one epoch report, then the 3 windows renumbered").isEqualTo(19);
        assertChainVerifies(19);
        Report epoch = stored(16);
        assertThat(epoch.events()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ReportEvent.Kind.EPOCH);
            assertThat(e.reason()).contains("rolled back").contains("collector's chain ends at seq 15");
        });
        assertThat(events()).as("one fork recorded, not one per retry").hasSize(1)
                .allSatisfy(e -> assertThat(e.kind()).isEqualTo(HostEvent.Kind.FORK));
    }

    // --- helpers ---

    Spool spool(Path file) {
        Spool spool = Spool.open(file, Clock.systemUTC(), 10_000, Long.MAX_VALUE);
        spool.bind(hostId, key, new EventStamp("test", 1, "a".repeat(64), ""));
        return spool;
    }

    Shipper shipper(Spool spool) {
        return new Shipper(http, collector.url().toString(), hostId, hostToken, spool, 50,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new Random(1)), Clock.systemUTC());
    }

    void windows(Spool spool, int n) {
        for (int i = 0; i < n; i++) {
            spool.append(new ReportDraft(windowMs, windowMs + 10_000, "test", 1, "a".repeat(64), "", LoadSummary.NONE,
                    List.of(), List.of(), Verdict.CLEAN, List.of()), hostId, key);
            windowMs += 10_000;
        }
    }

    /**
     * Drains the spool, retrying a bounded number of times: the first call after a collector
     * restart may fail on a pooled connection to the old one.
     */
    static void ship(Shipper shipper, Spool spool) throws InterruptedException {
        for (int i = 0; i < 20 && spool.depth() > 0; i++) {
            shipper.drain(10);
            if (spool.depth() > 0) Thread.sleep(20);
        }
    }

    long collectorEnd() {
        return collector.store().read(tx -> tx.findHost(hostId)).orElseThrow().chainEnd()
                .map(l -> l.seq()).orElse(0L);
    }

    List<HostEvent> events() {
        return collector.store().read(tx -> tx.listEvents(hostId));
    }

    Report stored(long seq) {
        String json = collector.store().read(tx -> tx.findReport(hostId, seq)).orElseThrow().envelopeJson();
        return Json.fromBytes(Envelopes.unverifiedPayload(Json.fromJson(json, Envelope.class)), Report.class);
    }

    /** Every stored report 1..end is there once, signed by the host's key and linked to its predecessor. */
    void assertChainVerifies(long end) {
        List<ReportRow> rows = collector.store().read(tx -> tx.listReports(hostId,
                new ReportQuery(0, Long.MAX_VALUE, 0, 1000)));
        assertThat(rows).extracting(ReportRow::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, end).boxed().toList());
        ReportVerification verification = new ReportVerification(collector.store());
        for (long s = 1; s <= end; s++) {
            var r = verification.check(hostId, s).orElseThrow();
            assertThat(r.signature()).as("signature of seq %d", s).isEqualTo(ReportVerification.VALID);
            assertThat(r.chain()).as("link of seq %d", s).isEqualTo(ReportVerification.LINKED);
        }
    }

    Path copyDb(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        copy(db, dir.resolve("assay.db"));
        return dir;
    }

    void restoreDb(Path backup) throws Exception {
        copy(backup.resolve("assay.db"), db);
    }

    static void copy(Path from, Path to) throws Exception {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        for (String side : List.of("-wal", "-shm")) {
            Path f = Path.of(from + side);
            Path t = Path.of(to + side);
            if (Files.exists(f)) Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
            else Files.deleteIfExists(t);
        }
    }

    Collector start(int onPort) throws Exception {
        return Collector.start(ServerConfig.builder().listen(new InetSocketAddress("127.0.0.1", onPort)).db(db)
                .shutdownGrace(Duration.ofSeconds(2)).build(), Clock.systemUTC());
    }
}
