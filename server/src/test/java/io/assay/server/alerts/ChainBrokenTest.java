package io.assay.server.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Verdict;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads refused for a seq gap or a wrong prev, sent by hand-signed reports over real HTTP:
 * recorded once per chain end however often they are retried, alerted once as {@code chain-broken}
 * through the webhooks, shown in the API's host detail and on the dashboard's host page.
 */
class ChainBrokenTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void refusedGapsAndPrevMismatchesAreCountedAlertedOnceAndShown() throws Exception {
        try (TestCollector server = TestCollector.start(dir); RecordingWebhook hook = new RecordingWebhook(0)) {
            HttpResponse<String> w = server.post("/api/v1/webhooks", server.adminToken(), "{\"url\":\"" + hook.url() + "\"}");
            assertThat(w.statusCode()).as(w.body()).isEqualTo(201);
            TestHost host = TestHost.enrolledAt(server, "looping-1");
            assertThat(host.upload(server, host.next(), host.next()).statusCode()).isEqualTo(200);

            // An agent looping on the same refused upload: three seq gaps, two wrong prevs, at chain end 2.
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = host.upload(server, host.sealed(5, "0".repeat(64), Verdict.CLEAN));
                assertThat(r.statusCode()).isEqualTo(409);
                assertThat(r.body()).contains("\"type\":\"seq-gap\"");
            }
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = host.upload(server, host.sealed(3, "1".repeat(64), Verdict.CLEAN));
                assertThat(r.body()).contains("\"type\":\"prev-mismatch\"");
            }
            JsonArray breaks = chainBreaks(server, host);
            assertThat(breaks).hasSize(2);
            JsonObject gap = find(breaks, "seq-gap");
            assertThat(gap.get("chainEnd").getAsLong()).isEqualTo(2);
            assertThat(gap.get("seq").getAsLong()).isEqualTo(5);
            assertThat(gap.get("refusals").getAsLong()).isEqualTo(3);
            assertThat(gap.get("firstAt").getAsString()).isLessThanOrEqualTo(gap.get("lastAt").getAsString());
            assertThat(find(breaks, "prev-mismatch").get("refusals").getAsLong()).isEqualTo(2);

            // One alert for the break, delivered through the webhook like every other alert.
            List<RecordingWebhook.Received> got = hook.awaitUntil(
                    r -> r.stream().anyMatch(x -> x.body().contains("\"kind\":\"chain-broken\"")), WAIT);
            assertThat(got.stream().filter(x -> x.body().contains("chain-broken")).count()).isEqualTo(1);
            JsonArray alerts = alerts(server, "?kind=chain-broken");
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).getAsJsonObject().get("host").getAsString()).isEqualTo(host.hostId());
            assertThat(alerts.get(0).getAsJsonObject().get("detail").getAsString()).contains("seq 5", "seq-gap", "seq 2");

            // The dashboard says the chain is broken, with the count.
            String page = dashboard(server, "/dashboard/hosts/" + host.hostId());
            assertThat(page).contains("id=chain-status class=\"bad\"", "id=chain-breaks", "<td class=refusals>3</td>",
                    "<td class=refusals>2</td>");

            // The agent heals (sends the right seq 3 and 4); the chain moves on; a later gap is a new break and alert.
            assertThat(host.upload(server, host.next(), host.next()).statusCode()).isEqualTo(200);
            assertThat(dashboard(server, "/dashboard/hosts/" + host.hostId())).contains("id=chain-status class=\"ok\"");
            assertThat(host.upload(server, host.sealed(9, "0".repeat(64), Verdict.CLEAN)).statusCode()).isEqualTo(409);
            assertThat(chainBreaks(server, host)).hasSize(3);
            assertThat(alerts(server, "?kind=chain-broken")).hasSize(2);
            assertThat(server.get("/api/v1/alerts?kind=chain_broken", server.auditorToken()).statusCode()).isEqualTo(400);
            assertThat(server.get("/metrics", server.auditorToken()).body())
                    .contains("assay_alerts_open{kind=\"chain-broken\"} 2.0", "assay_refusals_total{reason=\"seq-gap\",status=\"409\"} 4.0");
        }
    }

    private static JsonArray chainBreaks(TestCollector server, TestHost host) {
        HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId(), server.auditorToken());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("chainBreaks");
    }

    private static JsonObject find(JsonArray breaks, String kind) {
        for (var b : breaks) if (b.getAsJsonObject().get("kind").getAsString().equals(kind)) return b.getAsJsonObject();
        throw new AssertionError("no " + kind + " in " + breaks);
    }

    private static JsonArray alerts(TestCollector server, String query) {
        HttpResponse<String> r = server.get("/api/v1/alerts" + query, server.auditorToken());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("alerts");
    }

    /** A dashboard page as a logged-in auditor (the session cookie carries the token). */
    static String dashboard(TestCollector server, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Cookie", "assay_session=" + server.auditorToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
