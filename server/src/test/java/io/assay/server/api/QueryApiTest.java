package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Verdict;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryApiTest {
    @TempDir
    java.nio.file.Path dir;

    TestCollector server;
    TestHost host;
    List<SignedReport> sent = new ArrayList<>();

    @BeforeEach
    void start() {
        server = TestCollector.start(dir);
        host = TestHost.enrolledAt(server, "web-1");
        // 25 reports, one-minute windows: seq i covers [T0 + (i-1) min, T0 + i min).
        for (int i = 0; i < 25; i++) sent.add(host.next(i == 24 ? Verdict.MINING : Verdict.CLEAN));
        assertThat(host.upload(server, sent.toArray(SignedReport[]::new)).statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listsHostsWithChainState() {
        JsonObject h = json(server.get("/api/v1/hosts", server.auditorToken())).getAsJsonObject()
                .getAsJsonArray("hosts").get(0).getAsJsonObject();

        assertThat(h.get("hostId").getAsString()).isEqualTo(host.hostId());
        assertThat(h.get("hostname").getAsString()).isEqualTo("web-1");
        assertThat(h.get("lastSeq").getAsLong()).isEqualTo(25);
        assertThat(h.get("lastVerdict").getAsString()).isEqualTo("MINING");
        assertThat(h.get("keyId").getAsString()).isEqualTo(host.signer().publicKey().keyId());
        assertThat(h.has("enrolledAt")).isTrue();
        assertThat(h.get("lastSeen").isJsonNull()).isFalse();
    }

    @Test
    void pagesThroughHostsByHostIdWithABoundedPage() {
        for (int i = 0; i < 4; i++) TestHost.enrolledAt(server, "web-" + (i + 2));
        List<String> ids = new ArrayList<>();
        String after = "";
        for (int page = 0; page < 10; page++) {
            JsonObject body = json(server.get("/api/v1/hosts?limit=2&after=" + after, server.auditorToken())).getAsJsonObject();
            body.getAsJsonArray("hosts").forEach(h -> ids.add(h.getAsJsonObject().get("hostId").getAsString()));
            assertThat(body.getAsJsonArray("hosts").size()).isLessThanOrEqualTo(2);
            if (body.get("nextAfter").isJsonNull()) break;
            after = body.get("nextAfter").getAsString();
        }
        assertThat(ids).hasSize(5).doesNotHaveDuplicates().isSorted();
        assertThat(server.get("/api/v1/hosts?limit=1001", server.auditorToken()).statusCode()).isEqualTo(400);
        assertThat(server.get("/api/v1/hosts?after=" + "h".repeat(65), server.auditorToken()).statusCode()).isEqualTo(400);
    }

    @Test
    void pagesThroughReportsInSeqOrder() {
        List<Long> seqs = new ArrayList<>();
        String after = "0";
        int pages = 0;
        while (after != null) {
            JsonObject page = json(server.get("/api/v1/hosts/" + host.hostId() + "/reports?limit=10&after=" + after,
                    server.auditorToken())).getAsJsonObject();
            page.getAsJsonArray("reports").forEach(r -> seqs.add(r.getAsJsonObject().get("seq").getAsLong()));
            JsonElement next = page.get("nextAfter");
            after = next.isJsonNull() ? null : next.getAsString();
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(seqs).hasSize(25).isSorted().doesNotHaveDuplicates().startsWith(1L).endsWith(25L);
    }

    @Test
    void defaultPageIsEverythingUpTo100AndLimitIsBounded() {
        JsonObject page = json(server.get("/api/v1/hosts/" + host.hostId() + "/reports", server.auditorToken()))
                .getAsJsonObject();
        assertThat(page.getAsJsonArray("reports")).hasSize(25);
        assertThat(page.get("nextAfter").isJsonNull()).isTrue();

        assertThat(server.get("/api/v1/hosts/" + host.hostId() + "/reports?limit=1001", server.auditorToken())
                .statusCode()).isEqualTo(400);
    }

    @Test
    void filtersByWindowOverlapWithIsoOrEpochMillis() {
        String from = TestHost.T0.plus(Duration.ofMinutes(5)).toString();
        long toMs = TestHost.T0.plus(Duration.ofMinutes(10)).toEpochMilli();

        JsonObject page = json(server.get("/api/v1/hosts/" + host.hostId() + "/reports?from=" + from + "&to=" + toMs,
                server.auditorToken())).getAsJsonObject();

        List<Long> seqs = page.getAsJsonArray("reports").asList().stream()
                .map(r -> r.getAsJsonObject().get("seq").getAsLong()).toList();
        assertThat(seqs).containsExactly(6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void badTimeIsMalformed() {
        assertThat(server.get("/api/v1/hosts/" + host.hostId() + "/reports?from=yesterday", server.auditorToken())
                .statusCode()).isEqualTo(400);
    }

    @Test
    void readingOneReportShowsEnvelopePayloadAndVerification() {
        JsonObject r = json(server.get("/api/v1/reports/" + host.hostId() + "/7", server.auditorToken()))
                .getAsJsonObject();

        assertThat(r.get("seq").getAsLong()).isEqualTo(7);
        assertThat(r.getAsJsonObject("envelope").get("payload").getAsString())
                .isEqualTo(sent.get(6).envelope().payload());
        assertThat(r.getAsJsonObject("payload").get("prev").getAsString()).isEqualTo(sent.get(5).payloadHash());
        JsonObject v = r.getAsJsonObject("verification");
        assertThat(v.get("signature").getAsString()).isEqualTo("valid");
        assertThat(v.get("chain").getAsString()).isEqualTo("linked");
        JsonObject first = json(server.get("/api/v1/reports/" + host.hostId() + "/1", server.auditorToken()))
                .getAsJsonObject();
        assertThat(first.getAsJsonObject("verification").get("chain").getAsString()).isEqualTo("linked");
    }

    @Test
    void unknownHostOrReportIs404() {
        assertThat(server.get("/api/v1/hosts/h-nope", server.auditorToken()).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/v1/hosts/h-nope/reports", server.auditorToken()).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/v1/reports/" + host.hostId() + "/99", server.auditorToken()).statusCode())
                .isEqualTo(404);
        assertThat(server.get("/api/v1/reports/" + host.hostId() + "/x", server.auditorToken()).statusCode())
                .isEqualTo(400);
    }

    private static JsonElement json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonParser.parseString(r.body());
    }
}
