package io.assay.server.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts on a real collector, delivered to a loopback webhook that fails the first delivery. */
class AlertsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void miningRunsAndForksAreAlertedSignedRetriedAndAcknowledgeable() throws Exception {
        try (TestCollector server = TestCollector.start(dir); RecordingWebhook hook = new RecordingWebhook(1)) {
            String secret = addWebhook(server, hook.url());
            TestHost host = TestHost.enrolledAt(server, "web-1");
            ok(host.upload(server, host.next(), host.next()));
            ok(host.upload(server, host.next(Verdict.MINING), host.next(Verdict.MINING), host.next(Verdict.MINING)));

            // Failed once with 500, delivered again on the retry; both signed over the exact body.
            List<RecordingWebhook.Received> got = hook.awaitUntil(r -> r.stream().anyMatch(x -> x.answered() == 204), WAIT);
            assertThat(got.get(0).answered()).isEqualTo(500);
            assertThat(got.get(0).attempt()).isEqualTo(1);
            RecordingWebhook.Received delivered = got.stream().filter(x -> x.answered() == 204).findFirst().orElseThrow();
            assertThat(delivered.attempt()).isEqualTo(2);
            assertThat(delivered.alertId()).isEqualTo(got.get(0).alertId());
            for (RecordingWebhook.Received r : got) {
                assertThat(r.signature()).isEqualTo("sha256=" + AlertDispatcher.sign(secret,
                        r.body().getBytes(StandardCharsets.UTF_8)));
                assertThat(r.signature()).isNotEqualTo("sha256=" + AlertDispatcher.sign("wrong",
                        r.body().getBytes(StandardCharsets.UTF_8)));
            }
            JsonObject alert = JsonParser.parseString(delivered.body()).getAsJsonObject();
            assertThat(alert.get("kind").getAsString()).isEqualTo("mining");
            assertThat(alert.get("host").getAsString()).isEqualTo(host.hostId());
            assertThat(alert.get("seq").getAsLong()).isEqualTo(3);

            // A new mining run after a clean window is a second alert; the three reports of one run are one.
            ok(host.upload(server, host.next(), host.next(Verdict.MINING)));
            JsonArray mining = alerts(server, "?kind=mining");
            assertThat(mining).hasSize(2);
            JsonObject first = byId(mining, delivered.alertId());
            assertThat(first.getAsJsonArray("deliveries").get(0).getAsJsonObject().get("attempts").getAsInt()).isEqualTo(2);
            assertThat(first.getAsJsonArray("deliveries").get(0).getAsJsonObject().get("deliveredAt").isJsonNull()).isFalse();

            // Acknowledge: once; the open list drops it.
            HttpResponse<String> ack = server.post("/api/v1/alerts/" + delivered.alertId() + "/ack", server.adminToken(), "");
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
            assertThat(ack.body()).contains("\"acknowledgedBy\":\"admin (test admin)\"");
            assertThat(server.post("/api/v1/alerts/" + delivered.alertId() + "/ack", server.adminToken(), "").statusCode())
                    .isEqualTo(409);
            assertThat(alerts(server, "?kind=mining&state=open")).hasSize(1);
            assertThat(server.post("/api/v1/alerts/" + delivered.alertId() + "/ack", server.auditorToken(), "")
                    .statusCode()).isEqualTo(403);
            assertThat(server.getWithoutToken("/api/v1/alerts").statusCode()).isEqualTo(401);
            assertThat(server.get("/api/v1/alerts?state=maybe", server.auditorToken()).statusCode()).isEqualTo(400);

            // A fork: a second, different report for a stored seq.
            assertThat(host.upload(server, host.sealed(2, "0".repeat(64), Verdict.CLEAN)).statusCode()).isEqualTo(409);
            hook.awaitUntil(r -> r.stream().anyMatch(x -> x.body().contains("\"kind\":\"fork\"")), WAIT);
            assertThat(alerts(server, "?kind=fork")).hasSize(1);
        }
    }

    @Test
    void aHostSilentLongerThanTheBoundIsAlertedOnce() throws Exception {
        FakeClock clock = new FakeClock(TestHost.T0);
        try (TestCollector server = TestCollector.start(dir, clock); RecordingWebhook hook = new RecordingWebhook(0)) {
            addWebhook(server, hook.url());
            TestHost host = TestHost.enrolledAt(server, "quiet-1");
            ok(host.upload(server, host.next()));
            clock.advance(AlertDispatcher.DEFAULT_UNATTESTED_BOUND.plusMinutes(1));
            List<RecordingWebhook.Received> got = hook.awaitUntil(r -> !r.isEmpty(), WAIT);
            assertThat(got.get(0).body()).contains("\"kind\":\"unattested\"", host.hostId());
            assertThat(alerts(server, "?kind=unattested&host=" + host.hostId())).hasSize(1);
        }
    }

    private static String addWebhook(TestCollector server, String url) {
        HttpResponse<String> r = server.post("/api/v1/webhooks", server.adminToken(), "{\"url\":\"" + url + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(server.post("/api/v1/webhooks", server.adminToken(), "{\"url\":\"ftp://x\"}").statusCode()).isEqualTo(400);
        assertThat(server.get("/api/v1/webhooks", server.adminToken()).body()).doesNotContain("secret");
        return JsonParser.parseString(r.body()).getAsJsonObject().get("secret").getAsString();
    }

    private static JsonArray alerts(TestCollector server, String query) {
        HttpResponse<String> r = server.get("/api/v1/alerts" + query, server.auditorToken());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("alerts");
    }

    private static JsonObject byId(JsonArray alerts, String id) {
        for (var a : alerts) if (a.getAsJsonObject().get("id").getAsString().equals(id)) return a.getAsJsonObject();
        throw new AssertionError("no alert " + id + " in " + alerts);
    }

    private static void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
