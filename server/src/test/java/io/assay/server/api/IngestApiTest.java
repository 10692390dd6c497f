package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Json;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.Ack;
import io.assay.protocol.api.BatchResponse;
import io.assay.protocol.api.Problem;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestApiTest {
    @TempDir
    java.nio.file.Path dir;

    FakeClock clock = new FakeClock(Instant.parse("2030-01-01T00:00:00Z"));
    TestCollector server;
    TestHost host;

    @BeforeEach
    void start() {
        server = TestCollector.start(dir, clock);
        host = TestHost.enrolledAt(server, "web-1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void acceptsAChainOfReportsAcrossBatches() {
        SignedReport r1 = host.next();
        SignedReport r2 = host.next();
        SignedReport r3 = host.next(Verdict.SUSPECT);

        HttpResponse<String> first = host.upload(server, r1, r2);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Json.fromJson(first.body(), BatchResponse.class).acks()).containsExactly(
                new Ack(host.hostId(), 1, Ack.ACCEPTED, r1.payloadHash()),
                new Ack(host.hostId(), 2, Ack.ACCEPTED, r2.payloadHash()));

        clock.advance(Duration.ofMinutes(1));
        HttpResponse<String> second = host.upload(server, r3);
        assertThat(second.statusCode()).isEqualTo(200);

        JsonObject h = hostView();
        assertThat(h.get("lastSeq").getAsLong()).isEqualTo(3);
        assertThat(h.get("lastVerdict").getAsString()).isEqualTo("SUSPECT");
        assertThat(h.get("lastSeen").getAsString()).isEqualTo("2030-01-01T00:01:00Z");
        assertThat(storedSeqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void duplicateIsAcknowledgedAndStoredOnce() {
        SignedReport r1 = host.next();
        SignedReport r2 = host.next();
        assertThat(host.upload(server, r1).statusCode()).isEqualTo(200);

        HttpResponse<String> again = host.upload(server, r1, r2);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.fromJson(again.body(), BatchResponse.class).acks()).extracting(Ack::status)
                .containsExactly(Ack.DUPLICATE, Ack.ACCEPTED);
        assertThat(storedSeqs()).containsExactly(1L, 2L);
        assertThat(hostView().getAsJsonArray("events")).isEmpty();
    }

    @Test
    void reportSignedByAnotherKeyIsRefusedAndNothingStored() {
        TestHost impostor = new TestHost("evil", "uuid-x");
        // Same host id in the payload, but signed with a key that is not the pinned one.
        SignedReport forgedForHost = io.assay.protocol.Envelopes.seal(host.report(1, "", Verdict.CLEAN),
                impostor.signer());

        HttpResponse<String> r = host.upload(server, forgedForHost);

        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        Problem p = Json.fromJson(r.body(), Problem.class);
        assertThat(p.type()).isEqualTo("bad-signature");
        assertThat(p.index()).isZero();
        assertThat(p.seq()).isEqualTo(1);
        assertThat(p.detail()).contains("ed25519:").doesNotContain(host.signer().publicKey().base64());
        assertThat(storedSeqs()).isEmpty();
    }

    @Test
    void tamperedPayloadIsRefused() {
        SignedReport r1 = host.next();
        byte[] payload = r1.payload().clone();
        String text = new String(payload, StandardCharsets.UTF_8);
        int at = text.indexOf("\"verdict\":\"CLEAN\"") + "\"verdict\":\"".length();
        payload[at] = 'X'; // CLEAN -> XLEAN: still JSON, one byte changed
        Envelope tampered = new Envelope(r1.envelope().payloadType(), Base64.getEncoder().encodeToString(payload),
                r1.envelope().signatures());

        HttpResponse<String> r = server.post("/api/v1/reports", host.token(), TestHost.batch(tampered));

        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("bad-signature");
        assertThat(storedSeqs()).isEmpty();
    }

    @Test
    void replayedSeqWithOtherContentIsAForkRecordedAgainstTheHost() {
        SignedReport r1 = host.next();
        SignedReport r2 = host.next();
        assertThat(host.upload(server, r1, r2).statusCode()).isEqualTo(200);
        SignedReport otherTwo = host.sealed(2, r1.payloadHash(), Verdict.MINING);

        HttpResponse<String> r = host.upload(server, otherTwo);

        assertThat(r.statusCode()).isEqualTo(409);
        Problem p = Json.fromJson(r.body(), Problem.class);
        assertThat(p.type()).isEqualTo("seq-reused");
        assertThat(p.seq()).isEqualTo(2);
        assertThat(storedSeqs()).containsExactly(1L, 2L);
        JsonObject event = hostView().getAsJsonArray("events").get(0).getAsJsonObject();
        assertThat(event.get("kind").getAsString()).isEqualTo("fork");
        assertThat(event.get("seq").getAsLong()).isEqualTo(2);
        assertThat(event.getAsJsonObject("evidence").get("payload").getAsString())
                .isEqualTo(otherTwo.envelope().payload());
        // The stored report is still the first one.
        JsonObject stored = JsonParser.parseString(server.get("/api/v1/reports/" + host.hostId() + "/2",
                server.auditorToken()).body()).getAsJsonObject();
        assertThat(stored.get("payloadHash").getAsString()).isEqualTo(r2.payloadHash());
    }

    @Test
    void gapIsRefusedWithTheExpectedSeq() {
        SignedReport r1 = host.next();
        host.next(); // seq 2 is never sent
        SignedReport r3 = host.next();
        assertThat(host.upload(server, r1).statusCode()).isEqualTo(200);

        HttpResponse<String> r = host.upload(server, r3);

        assertThat(r.statusCode()).isEqualTo(409);
        Problem p = Json.fromJson(r.body(), Problem.class);
        assertThat(p.type()).isEqualTo("seq-gap");
        assertThat(p.detail()).contains("expected seq 2");
        assertThat(storedSeqs()).containsExactly(1L);
    }

    @Test
    void wrongPrevIsRefused() {
        SignedReport r1 = host.next();
        assertThat(host.upload(server, r1).statusCode()).isEqualTo(200);

        HttpResponse<String> r = host.upload(server, host.sealed(2, "0".repeat(64), Verdict.CLEAN));

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("prev-mismatch");
    }

    @Test
    void refusalMidBatchKeepsAndAcknowledgesThePrefix() {
        SignedReport r1 = host.next();
        SignedReport r2 = host.next();
        TestHost other = new TestHost("other", "u");
        SignedReport forged3 = io.assay.protocol.Envelopes.seal(host.report(3, r2.payloadHash(), Verdict.CLEAN),
                other.signer());

        HttpResponse<String> r = host.upload(server, r1, r2, forged3);

        assertThat(r.statusCode()).isEqualTo(422);
        Problem p = Json.fromJson(r.body(), Problem.class);
        assertThat(p.index()).isEqualTo(2);
        assertThat(p.seq()).isEqualTo(3);
        assertThat(p.acks()).extracting(Ack::seq).containsExactly(1L, 2L);
        assertThat(storedSeqs()).containsExactly(1L, 2L);
    }

    @Test
    void reportNamingAnotherHostIsForbidden() {
        TestHost second = TestHost.enrolledAt(server, "web-2");
        SignedReport ofSecond = second.next();

        // host's token, second's (validly signed) report: the token decides which key is checked.
        HttpResponse<String> r = server.post("/api/v1/reports", host.token(), TestHost.batch(ofSecond));

        assertThat(r.statusCode()).isIn(403, 422);
        assertThat(storedSeqs()).isEmpty();
        // Signed with host's own key but naming the other host: refused as the wrong host.
        SignedReport misnamed = io.assay.protocol.Envelopes.seal(second.report(1, "", Verdict.CLEAN), host.signer());
        HttpResponse<String> r2 = server.post("/api/v1/reports", host.token(), TestHost.batch(misnamed));
        assertThat(r2.statusCode()).isEqualTo(403);
        assertThat(Json.fromJson(r2.body(), Problem.class).type()).isEqualTo("unknown-host");
    }

    @Test
    void skewedAgentClockDoesNotMatterAndReceivedAtIsTheCollectorsTime() {
        // TestHost windows are in 2025; the collector's clock says 2030.
        assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);

        JsonObject row = JsonParser.parseString(server.get("/api/v1/hosts/" + host.hostId() + "/reports",
                server.auditorToken()).body()).getAsJsonObject().getAsJsonArray("reports").get(0).getAsJsonObject();
        assertThat(row.get("receivedAt").getAsString()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(row.get("windowStart").getAsString()).isEqualTo("2025-03-01T00:00:00Z");
    }

    private JsonObject hostView() {
        HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId(), server.auditorToken());
        assertThat(r.statusCode()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    private List<Long> storedSeqs() {
        HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId() + "/reports?limit=1000",
                server.auditorToken());
        assertThat(r.statusCode()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("reports").asList().stream()
                .map(e -> e.getAsJsonObject().get("seq").getAsLong()).toList();
    }
}
