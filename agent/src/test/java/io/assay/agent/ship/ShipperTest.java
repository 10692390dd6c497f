package io.assay.agent.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.report.ReportDraft;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolEntry;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.Ack;
import io.assay.protocol.api.BatchResponse;
import io.assay.protocol.api.Problem;
import io.assay.protocol.api.ReportBatch;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper's edge cases against MockWebServer; the real collector is covered end to end elsewhere. */
class ShipperTest {
    static final String HOST = "host-1";
    static final String TOKEN = "host-token-xyz";
    static final Ed25519Signer KEY = Ed25519Signer.generate(new SecureRandom());

    @TempDir
    Path tmp;

    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    MockWebServer server = new MockWebServer();
    OkHttpClient http = HttpClients.create(Duration.ofSeconds(5));
    Spool spool;

    @BeforeEach
    void setUp() throws IOException {
        server.start();
        spool = Spool.open(tmp.resolve("spool.db"), clock, 1000);
    }

    @AfterEach
    void tearDown() throws IOException {
        spool.close();
        server.shutdown();
        HttpClients.close(http);
    }

    Shipper shipper(String url, int batch, Random random) {
        return new Shipper(http, url, HOST, TOKEN, spool, batch, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), random), clock);
    }

    Shipper shipper() {
        return shipper(server.url("/").toString(), 50, new Random(1));
    }

    void spoolReports(int n) {
        for (int i = 0; i < n; i++) {
            spool.append(new ReportDraft(i * 1000L, i * 1000L + 1000, "t", 1, "a".repeat(64), "", LoadSummary.NONE,
                    List.of(), List.of(), Verdict.CLEAN, List.of()), HOST, KEY);
        }
    }

    List<Ack> acks(List<SpoolEntry> entries) {
        return entries.stream().map(e -> new Ack(HOST, e.seq(), Ack.ACCEPTED, e.payloadHash())).toList();
    }

    static MockResponse json(int code, Object body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(Json.toJson(body));
    }

    @Test
    void postsABatchInSeqOrderWithTheHostTokenAndMarksMatchingAcks() throws Exception {
        spoolReports(3);
        List<SpoolEntry> entries = spool.pending(10);
        List<Ack> acks = new ArrayList<>(acks(entries));
        acks.set(2, new Ack(HOST, 3, Ack.ACCEPTED, "f".repeat(64))); // a collector acking something else
        server.enqueue(json(200, new BatchResponse(acks)));

        ShipResult r = shipper().shipOnce();

        RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(req.getPath()).isEqualTo("/api/v1/reports");
        assertThat(req.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        ReportBatch sent = Json.fromJson(req.getBody().readUtf8(), ReportBatch.class);
        assertThat(sent.reports()).containsExactlyElementsOf(entries.stream().map(SpoolEntry::envelope).toList());
        assertThat(r.outcome()).isEqualTo(ShipResult.Outcome.SENT);
        assertThat(r.acked()).isEqualTo(2);
        assertThat(spool.pending(10)).extracting(SpoolEntry::seq).containsExactly(3L);
        assertThat(spool.status().lastError()).startsWith("ack-mismatch").contains("seq 3");
    }

    @Test
    void honoursRetryAfterOn429() throws Exception {
        spoolReports(1);
        server.enqueue(json(429, Problem.of(429, "busy", "Busy", "ingest queue full")).setHeader("Retry-After", "7"));
        Shipper s = shipper();

        ShipResult r = s.shipOnce();
        assertThat(r.outcome()).isEqualTo(ShipResult.Outcome.RETRY);
        assertThat(r.retryIn()).isEqualTo(Duration.ofSeconds(7));
        assertThat(r.problem()).isEqualTo("busy");

        clock.advance(Duration.ofSeconds(6));
        assertThat(s.shipOnce().outcome()).isEqualTo(ShipResult.Outcome.WAITING);
        assertThat(server.getRequestCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        server.enqueue(json(200, new BatchResponse(acks(spool.pending(10)))));
        assertThat(s.shipOnce().outcome()).isEqualTo(ShipResult.Outcome.SENT);
        assertThat(spool.depth()).isZero();
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void retriesAfter503WithRetryAfterOrBackoffAndNeverDropsReports() {
        spoolReports(2);
        server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "3").setBody("maintenance"));
        server.enqueue(new MockResponse().setResponseCode(503).setBody("down"));
        Shipper s = shipper();

        ShipResult first = s.shipOnce();
        assertThat(first.outcome()).isEqualTo(ShipResult.Outcome.RETRY);
        assertThat(first.retryIn()).isEqualTo(Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(3));
        ShipResult second = s.shipOnce();
        assertThat(second.outcome()).isEqualTo(ShipResult.Outcome.RETRY);
        assertThat(second.retryIn()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(second.problem()).isEqualTo("http-503");
        assertThat(spool.depth()).isEqualTo(2);
        assertThat(spool.status().lastError()).contains("503").contains("down");
    }

    @Test
    void problemWithPartialAcksMarksTheAcceptedPrefixAndRecordsTheProblem() {
        spoolReports(3);
        List<SpoolEntry> entries = spool.pending(10);
        Problem conflict = new Problem("seq-reused", "Sequence number reused", 409,
                "seq 3 was already stored with different content", 2, 3, acks(entries.subList(0, 2)));
        server.enqueue(new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/problem+json")
                .setBody(Json.toJson(conflict)));
        Shipper s = shipper();

        ShipResult r = s.shipOnce();

        assertThat(r.outcome()).isEqualTo(ShipResult.Outcome.REFUSED);
        assertThat(r.acked()).isEqualTo(2);
        assertThat(r.problem()).isEqualTo("seq-reused");
        assertThat(spool.pending(10)).extracting(SpoolEntry::seq).containsExactly(3L);
        assertThat(spool.status().lastError()).isEqualTo("seq-reused (409): seq 3 was already stored with different content [seq 3]");
        assertThat(spool.status().lastAckSeq()).isEqualTo(2);
        assertThat(r.retryIn()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(s.shipOnce().outcome()).as("backs off before retrying").isEqualTo(ShipResult.Outcome.WAITING);
    }

    @Test
    void connectionRefusedBacksOffWithGrowingJitteredDelays() throws IOException {
        int deadPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            deadPort = ss.getLocalPort();
        }
        spoolReports(1);
        Shipper s = shipper("http://127.0.0.1:" + deadPort, 50, new Random(42));
        Backoff expected = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(42));
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ShipResult r = s.shipOnce();
            assertThat(r.outcome()).isEqualTo(ShipResult.Outcome.RETRY);
            assertThat(r.problem()).startsWith("network:");
            Duration want = expected.next();
            assertThat(r.retryIn()).isEqualTo(want);
            assertThat(r.retryIn()).isBetween(Duration.ofSeconds(1), expected.ceiling());
            delays.add(r.retryIn());
            clock.advance(r.retryIn());
        }
        // Ceilings 1,2,4,...: the capped maximum is reached and the delays grew on the whole.
        assertThat(expected.ceiling()).isEqualTo(Duration.ofSeconds(60));
        assertThat(delays.subList(6, 9).stream().mapToLong(Duration::toMillis).sum())
                .isGreaterThan(delays.subList(0, 3).stream().mapToLong(Duration::toMillis).sum());
        assertThat(spool.depth()).isEqualTo(1);
    }

    @Test
    void backoffCeilingDoublesUpToTheMaximumAndResets() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), new Random(7));
        List<Duration> ceilings = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Duration d = b.next();
            ceilings.add(b.ceiling());
            assertThat(d).isBetween(Duration.ofSeconds(1), b.ceiling());
        }
        assertThat(ceilings).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(10));
        b.reset();
        assertThat(b.next()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void expediteSkipsOurBackoffButNotTheCollectorsRetryAfter() {
        spoolReports(1);
        Shipper s = shipper();
        server.enqueue(new MockResponse().setResponseCode(503).setBody("down"));
        assertThat(s.shipOnce().outcome()).isEqualTo(ShipResult.Outcome.RETRY);
        assertThat(s.shipOnce().outcome()).isEqualTo(ShipResult.Outcome.WAITING);
        s.expedite();
        server.enqueue(json(429, Problem.of(429, "busy", "Busy", "queue full")).setHeader("Retry-After", "30"));
        assertThat(s.shipOnce().outcome()).as("expedited past our own backoff").isEqualTo(ShipResult.Outcome.RETRY);
        assertThat(server.getRequestCount()).isEqualTo(2);
        s.expedite();
        assertThat(s.shipOnce().outcome()).as("Retry-After is the collector's word").isEqualTo(ShipResult.Outcome.WAITING);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void idleWhenNothingIsPending() {
        assertThat(shipper().shipOnce().outcome()).isEqualTo(ShipResult.Outcome.IDLE);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void retryAfterParsing() {
        assertThat(Shipper.retryAfter("12")).contains(Duration.ofSeconds(12));
        assertThat(Shipper.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEmpty();
        assertThat(Shipper.retryAfter(null)).isEmpty();
        assertThat(Shipper.retryAfter("999999999")).contains(Duration.ofHours(24));
    }
}
