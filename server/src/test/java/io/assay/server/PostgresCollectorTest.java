package io.assay.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Json;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.Ack;
import io.assay.protocol.api.BatchResponse;
import io.assay.server.store.postgres.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole path (HTTP, enroll, ingest, query, restart) with the collector on a real PostgreSQL. */
class PostgresCollectorTest {
    private static TestPostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    private static TestCollector start(Path dir, FakeClock clock, String url) {
        return TestCollector.start(dir, clock, b -> b.postgres(url, TestPostgres.USER, ""));
    }

    @Test
    void enrollIngestQueryAndRestartOnPostgres() {
        FakeClock clock = new FakeClock(Instant.parse("2030-01-01T00:00:00Z"));
        TestCollector server = start(dir, clock, pg.newDatabase());
        try {
            TestHost host = TestHost.enrolledAt(server, "db-1");
            SignedReport r1 = host.next();
            SignedReport r2 = host.next(Verdict.SUSPECT);
            assertThat(host.upload(server, r1, r2).statusCode()).isEqualTo(200);
            HttpResponse<String> again = host.upload(server, r2);
            assertThat(Json.fromJson(again.body(), BatchResponse.class).acks()).extracting(Ack::status)
                    .containsExactly(Ack.DUPLICATE);
            // A different report with seq 2: a fork, refused and recorded against the host.
            SignedReport fork = host.sealed(2, r1.payloadHash(), Verdict.CLEAN);
            assertThat(host.upload(server, fork).statusCode()).isEqualTo(409);

            JsonObject view = hostView(server, host);
            assertThat(view.get("lastSeq").getAsLong()).isEqualTo(2);
            assertThat(view.toString()).contains("fork");

            clock.advance(Duration.ofHours(1));
            server = server.restart();
            assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
            assertThat(hostView(server, host).get("lastSeq").getAsLong()).isEqualTo(3);
            JsonObject v = JsonParser.parseString(server.get("/api/v1/reports/" + host.hostId() + "/3",
                    server.auditorToken()).body()).getAsJsonObject().getAsJsonObject("verification");
            assertThat(v.get("chain").getAsString()).isEqualTo("linked");
        } finally {
            server.close();
        }
    }

    /** An agent's batches reach two collectors sharing the database at once: each report is stored once. */
    @Test
    void twoCollectorsOnOneDatabaseTakeTheSameUploadsOnce() throws Exception {
        String url = pg.newDatabase();
        FakeClock clock = new FakeClock(Instant.parse("2030-01-01T00:00:00Z"));
        try (TestCollector a = start(dir, clock, url); TestCollector b = start(dir, clock, url)) {
            TestHost host = TestHost.enrolledAt(a, "shared-1");
            List<SignedReport> reports = new ArrayList<>();
            for (int i = 0; i < 20; i++) reports.add(host.next());
            List<CompletableFuture<List<Ack>>> uploads = new ArrayList<>();
            for (TestCollector c : List.of(a, b)) {
                uploads.add(CompletableFuture.supplyAsync(() -> {
                    List<Ack> acks = new ArrayList<>();
                    for (int i = 0; i < reports.size(); i += 5) {
                        HttpResponse<String> r = host.upload(c, reports.subList(i, i + 5).toArray(SignedReport[]::new));
                        if (r.statusCode() != 200) throw new AssertionError(r.statusCode() + " " + r.body());
                        acks.addAll(Json.fromJson(r.body(), BatchResponse.class).acks());
                    }
                    return acks;
                }));
            }
            List<Ack> acks = new ArrayList<>();
            for (var u : uploads) acks.addAll(u.get());

            assertThat(acks.stream().filter(x -> x.status().equals(Ack.ACCEPTED)).map(Ack::seq).sorted().toList())
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
            assertThat(acks.stream().filter(x -> x.status().equals(Ack.DUPLICATE))).hasSize(20);
            JsonObject view = hostView(b, host);
            assertThat(view.get("lastSeq").getAsLong()).isEqualTo(20);
            assertThat(JsonParser.parseString(b.get("/api/v1/hosts/" + host.hostId() + "/reports?limit=1000",
                    b.auditorToken()).body()).getAsJsonObject().getAsJsonArray("reports")).hasSize(20);
        }
    }

    private static JsonObject hostView(TestCollector server, TestHost host) {
        HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId(), server.auditorToken());
        assertThat(r.statusCode()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }
}
