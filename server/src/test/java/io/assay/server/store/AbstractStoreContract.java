package io.assay.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.Ack;
import io.assay.protocol.api.BatchResponse;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.ReportBatch;
import io.assay.server.FakeClock;
import io.assay.server.TestHost;
import io.assay.server.ingest.IngestRejectedException;
import io.assay.server.ingest.Ingestor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} backend must do, run against each real backend by a subclass. A
 * subclass gives each test a fresh, empty database; {@link #open()} may be called more than once
 * per test and must then open the same database again (a restart, or a second collector).
 */
public abstract class AbstractStoreContract {
    protected static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    /** A new store on this test's database. */
    protected abstract Store open();

    /** Marks this test's database (already created by {@link #open()}) as written by schema {@code version}. */
    protected abstract void setSchemaVersion(int version) throws Exception;

    /** Runs {@code sql} on this test's database outside the store (what another build or a person did). */
    protected abstract void executeDirectly(String sql) throws Exception;

    protected static HostRecord host(String id) {
        return HostRecord.enrolled(id, "key-" + id, "ed25519:" + id, new HostIdentity(id, "uuid", "sn", List.of("m")),
                "1", NOW);
    }

    protected static StoredReport report(String hostId, long seq) {
        return new StoredReport(new ReportRow(hostId, seq, "h" + seq, seq * 1000, seq * 1000 + 1000, Verdict.CLEAN, NOW, 0),
                "{\"seq\":" + seq + "}");
    }

    @Test
    void appendingAReportMovesTheChainEndInTheSameTransaction() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                tx.appendReport(report("h-1", 1));
                return null;
            });

            HostRecord h = store.read(tx -> tx.findHost("h-1")).orElseThrow();
            assertThat(h.lastSeq()).isEqualTo(1);
            assertThat(h.lastHash()).isEqualTo("h1");
            assertThat(h.lastSeen()).hasValue(NOW);
            assertThat(h.lastVerdict()).hasValue(Verdict.CLEAN);
            assertThat(store.<Optional<StoredReport>>read(tx -> tx.findReport("h-1", 1))).hasValue(report("h-1", 1));
            assertThat(store.<Optional<HostRecord>>inTransaction(tx -> tx.lockHost("h-1"))).hasValue(h);
            assertThat(store.<Optional<HostRecord>>inTransaction(tx -> tx.lockHost("h-none"))).isEmpty();
        }
    }

    @Test
    void aFailedTransactionLeavesNothingBehind() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                return null;
            });

            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.appendReport(report("h-1", 1));
                tx.appendReport(report("h-1", 1)); // duplicate key
                return null;
            })).isInstanceOf(StoreException.class);

            assertThat(store.<Optional<StoredReport>>read(tx -> tx.findReport("h-1", 1))).isEmpty();
            assertThat(store.read(tx -> tx.findHost("h-1")).orElseThrow().lastSeq()).isZero();
        }
    }

    @Test
    void anExceptionOfTheWorkPropagatesUnchangedAndRollsBack() {
        IllegalStateException thrown = new IllegalStateException("work failed");
        try (Store store = open()) {
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                throw thrown;
            })).isSameAs(thrown);

            assertThat(store.<List<HostRecord>>read(Store.ReadTx::listHosts)).isEmpty();
        }
    }

    @Test
    void theChainEndNeverSkipsOrGoesBack() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                tx.appendReport(report("h-1", 1));
                return null;
            });

            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.appendReport(report("h-1", 3));
                return null;
            })).isInstanceOf(StoreException.class).hasMessageContaining("chain end is not at seq 2");
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.appendReport(report("h-unknown", 1));
                return null;
            })).isInstanceOf(StoreException.class);

            assertThat(store.<Optional<StoredReport>>read(tx -> tx.findReport("h-1", 3))).isEmpty();
            assertThat(store.read(tx -> tx.findHost("h-1")).orElseThrow().lastSeq()).isEqualTo(1);
        }
    }

    @Test
    void dataSurvivesReopeningAndEventsKeepTheirOrder() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                for (long s = 1; s <= 5; s++) tx.appendReport(report("h-1", s));
                tx.insertEvent(new HostEvent("h-1", HostEvent.Kind.FORK, 3, "first", NOW, Optional.of("{}")));
                tx.insertEvent(new HostEvent("h-1", HostEvent.Kind.CLONE_SUSPECTED, 0, "second", NOW, Optional.empty()));
                return null;
            });
        }
        try (Store store = open()) {
            List<ReportRow> page = store.read(tx -> tx.listReports("h-1", new ReportQuery(2500, 5000, 2, 10)));
            // windows [s*1000, s*1000+1000): overlap with [2500, 5000) is s = 2..4; after=2 leaves 3, 4.
            assertThat(page).extracting(ReportRow::seq).containsExactly(3L, 4L);
            assertThat(store.<List<ReportRow>>read(tx -> tx.listReports("h-1", new ReportQuery(0, Long.MAX_VALUE, 0, 2))))
                    .extracting(ReportRow::seq).containsExactly(1L, 2L);
            List<HostEvent> events = store.read(tx -> tx.listEvents("h-1"));
            assertThat(events).containsExactly(
                    new HostEvent("h-1", HostEvent.Kind.FORK, 3, "first", NOW, Optional.of("{}")),
                    new HostEvent("h-1", HostEvent.Kind.CLONE_SUSPECTED, 0, "second", NOW, Optional.empty()));
        }
    }

    @Test
    void aChainBreakIsOneRowPerHostKindAndChainEndCountingRepeats() {
        Instant later = NOW.plusSeconds(60);
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                ChainBreak first = tx.recordChainBreak("h-1", ChainBreak.Kind.SEQ_GAP, 2, 5, "gap 1", NOW);
                assertThat(first.refusals()).isEqualTo(1);
                return null;
            });
            ChainBreak again = store.inTransaction(tx -> {
                tx.recordChainBreak("h-1", ChainBreak.Kind.SEQ_GAP, 2, 6, "gap 2", NOW.plusSeconds(30));
                return tx.recordChainBreak("h-1", ChainBreak.Kind.SEQ_GAP, 2, 7, "gap 3", later);
            });
            assertThat(again).isEqualTo(new ChainBreak("h-1", ChainBreak.Kind.SEQ_GAP, 2, 7, "gap 3", NOW, later, 3));
            store.inTransaction(tx -> {
                tx.recordChainBreak("h-1", ChainBreak.Kind.PREV_MISMATCH, 2, 3, "prev", later);
                tx.recordChainBreak("h-1", ChainBreak.Kind.SEQ_GAP, 9, 12, "later gap", later);
                return null;
            });
        }
        try (Store store = open()) {
            assertThat(store.<List<ChainBreak>>read(tx -> tx.listChainBreaks("h-1"))).extracting(ChainBreak::kind, ChainBreak::chainEnd,
                    ChainBreak::refusals).containsExactly(
                            org.assertj.core.groups.Tuple.tuple(ChainBreak.Kind.PREV_MISMATCH, 2L, 1L),
                            org.assertj.core.groups.Tuple.tuple(ChainBreak.Kind.SEQ_GAP, 2L, 3L),
                            org.assertj.core.groups.Tuple.tuple(ChainBreak.Kind.SEQ_GAP, 9L, 1L));
            assertThat(store.<List<ChainBreak>>read(tx -> tx.listChainBreaks("h-other"))).isEmpty();
        }
    }

    @Test
    void tokensAreFoundByHashAndListedInInsertionOrder() {
        try (Store store = open()) {
            List<TokenRecord> tokens = List.of(
                    new TokenRecord("c".repeat(64), Role.AUDITOR, Optional.empty(), "third by name", NOW),
                    new TokenRecord("a".repeat(64), Role.HOST, Optional.of("h-1"), "", NOW),
                    new TokenRecord("b".repeat(64), Role.ADMIN, Optional.empty(), "ops", NOW.minusSeconds(1)));
            store.inTransaction(tx -> {
                tokens.forEach(tx::insertToken);
                return null;
            });

            assertThat(store.<Optional<TokenRecord>>read(tx -> tx.findToken("a".repeat(64)))).hasValue(tokens.get(1));
            assertThat(store.<Optional<TokenRecord>>read(tx -> tx.findToken("d".repeat(64)))).isEmpty();
            // Oldest first; the two of the same millisecond in insertion order.
            assertThat(store.<List<TokenRecord>>read(Store.ReadTx::listTokens)).containsExactly(tokens.get(2), tokens.get(0), tokens.get(1));
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insertToken(tokens.get(0));
                return null;
            })).isInstanceOf(StoreException.class);
        }
    }

    @Test
    void hostsAreFoundByKeyAndUuidAndListedInEnrollmentOrder() {
        HostRecord z = HostRecord.enrolled("h-z", "key-z", "ed25519:z",
                new HostIdentity("z", "uuid-shared", "sn", List.of("a", "b")), "2", NOW);
        HostRecord a = HostRecord.enrolled("h-a", "key-a", "ed25519:a",
                new HostIdentity("a", "uuid-shared", "sn", List.of()), "2", NOW);
        HostRecord other = HostRecord.enrolled("h-o", "key-o", "ed25519:o",
                new HostIdentity("o", "uuid-other", "sn", List.of()), "2", NOW.minusSeconds(60));
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(z);
                tx.insertHost(a);
                tx.insertHost(other);
                return null;
            });

            assertThat(store.<Optional<HostRecord>>read(tx -> tx.findHostByPublicKey("key-a"))).hasValue(a);
            assertThat(store.<List<HostRecord>>read(tx -> tx.findHostsBySystemUuid("uuid-shared"))).containsExactly(z, a);
            assertThat(store.<List<HostRecord>>read(Store.ReadTx::listHosts)).containsExactly(other, z, a);
            // Pages by host id, whatever the enrollment order.
            assertThat(store.<List<HostRecord>>read(tx -> tx.listHosts("", 2))).extracting(HostRecord::hostId)
                    .containsExactly(a.hostId(), other.hostId());
            assertThat(store.<List<HostRecord>>read(tx -> tx.listHosts(other.hostId(), 2))).containsExactly(z);
            assertThat(store.<List<HostRecord>>read(tx -> tx.listHosts(z.hostId(), 2))).isEmpty();
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.insertHost(HostRecord.enrolled("h-new", "key-a", "k", a.identity(), "2", NOW)); // key already pinned
                return null;
            })).isInstanceOf(StoreException.class);
        }
    }

    @Test
    void aClosedStoreRefusesWork() {
        Store store = open();
        store.close();
        store.close(); // idempotent

        assertThatThrownBy(() -> store.read(Store.ReadTx::listHosts)).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void refusesADatabaseWithANewerSchema() throws Exception {
        open().close();
        setSchemaVersion(99);

        assertThatThrownBy(this::open).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining("newer assay-server");
    }

    @Test
    void refusesADatabaseOfAnEarlierBuildThatSaysTheSameVersion() throws Exception {
        open().close();
        open().close(); // a database this build wrote passes the check
        executeDirectly("DROP TABLE host_days");
        executeDirectly("ALTER TABLE host_stretches DROP COLUMN gap_reason");

        assertThatThrownBy(this::open).isInstanceOf(StoreException.class)
                .hasMessageContaining("table host_days").hasMessageContaining("column host_stretches.gap_reason")
                .hasMessageContaining("earlier development build").hasMessageContaining("new database");
    }

    /**
     * Two collectors on one database both receive the same host's batches at the same time (an
     * agent's retry reaching the second collector). Every report must be stored once, acknowledged
     * {@code accepted} by exactly one collector and {@code duplicate} by the other, and the chain
     * end must be the last report. Several rounds, so the interleavings vary.
     */
    @Test
    void twoStoresOnOneDatabaseIngestingTheSameBatchesStoreEachReportOnce() throws Exception {
        int rounds = 8;
        int reports = 24;
        int batchSize = 4;
        FakeClock clock = new FakeClock(NOW);
        try (Store a = open(); Store b = open()) {
            Ingestor ingestA = new Ingestor(a, clock);
            Ingestor ingestB = new Ingestor(b, clock);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < rounds; round++) {
                    String hostId = "h-race-" + round;
                    TestHost agent = new TestHost("race-" + round, "uuid-" + round).withHostId(hostId);
                    a.inTransaction(tx -> {
                        tx.insertHost(HostRecord.enrolled(hostId, agent.signer().publicKey().base64(),
                                agent.signer().publicKey().keyId(), agent.identity(), "1", NOW));
                        return null;
                    });
                    List<SignedReport> chain = new ArrayList<>();
                    for (int i = 0; i < reports; i++) chain.add(agent.next());
                    List<ReportBatch> batches = new ArrayList<>();
                    for (int i = 0; i < reports; i += batchSize) {
                        batches.add(new ReportBatch(chain.subList(i, i + batchSize).stream()
                                .map(SignedReport::envelope).toList()));
                    }

                    CyclicBarrier start = new CyclicBarrier(2);
                    Future<List<Ack>> fa = pool.submit(() -> upload(ingestA, hostId, batches, start));
                    Future<List<Ack>> fb = pool.submit(() -> upload(ingestB, hostId, batches, start));
                    List<Ack> acks = new ArrayList<>(fa.get(60, TimeUnit.SECONDS));
                    acks.addAll(fb.get(60, TimeUnit.SECONDS));

                    Map<Long, List<String>> bySeq = new HashMap<>();
                    for (Ack ack : acks) bySeq.computeIfAbsent(ack.seq(), s -> new ArrayList<>()).add(ack.status());
                    assertThat(bySeq).hasSize(reports);
                    bySeq.forEach((seq, statuses) -> assertThat(statuses).as("acks of seq %d", seq)
                            .containsExactlyInAnyOrder(Ack.ACCEPTED, Ack.DUPLICATE));

                    List<ReportRow> stored = a.read(tx -> tx.listReports(hostId, new ReportQuery(0, Long.MAX_VALUE, 0, 1000)));
                    assertThat(stored).extracting(ReportRow::payloadHash)
                            .containsExactlyElementsOf(chain.stream().map(SignedReport::payloadHash).toList());
                    HostRecord end = b.read(tx -> tx.findHost(hostId)).orElseThrow();
                    assertThat(end.lastSeq()).isEqualTo(reports);
                    assertThat(end.lastHash()).isEqualTo(chain.get(reports - 1).payloadHash());
                    assertThat(b.<List<HostEvent>>read(tx -> tx.listEvents(hostId))).isEmpty();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<Ack> upload(Ingestor ingestor, String hostId, List<ReportBatch> batches, CyclicBarrier start)
            throws Exception {
        start.await(30, TimeUnit.SECONDS);
        List<Ack> acks = new ArrayList<>();
        for (ReportBatch batch : batches) {
            try {
                BatchResponse r = ingestor.ingest(hostId, batch);
                acks.addAll(r.acks());
            } catch (IngestRejectedException e) {
                throw new AssertionError("batch refused: " + e.getMessage(), e);
            }
        }
        return acks;
    }
}
