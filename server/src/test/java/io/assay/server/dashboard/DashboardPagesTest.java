package io.assay.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.assay.protocol.Hardware;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Verdict;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.server.store.FleetTables.TokenScope;
import io.assay.server.store.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's host page charts and log status, and acknowledging an alert from the findings
 * page with its cross-site checks, over real HTTP with the session cookie (no browser: the browser
 * test covers what a person sees).
 */
class DashboardPagesTest {
    private static final Pattern CSRF = Pattern.compile("name=csrf value=\"([0-9a-f]+)\"");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void theHostPageChartsCpuGpuAndPowerAndSaysWhatWasNotReported() throws Exception {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost gpuHost = TestHost.enrolledAt(server, "gpu-1");
            Hardware hw = new Hardware(List.of(
                    new Hardware.Gpu("nvml", "GPU-a", "A100", "0000:01:00.0", 6, Map.of("gpuUtilPercent", 97.0), Map.of(), Map.of()),
                    new Hardware.Gpu("nvml", "GPU-b", "A100", "0000:02:00.0", 6, Map.of("gpuUtilPercent", 3.0), Map.of(), Map.of())),
                    List.of(), List.of(), List.of(new Hardware.Energy("rapl:package-0", 6000, 100, 60_000, "counter"),
                            new Hardware.Energy("gpu:GPU-a", 18000, 300, 60_000, "power")), List.of());
            assertThat(gpuHost.upload(server, gpuHost.next(Verdict.CLEAN, List.of(), new LoadSummary(80, 99, 6), hw),
                    gpuHost.next(Verdict.CLEAN, List.of(), new LoadSummary(0, 0, 6), Hardware.NONE),
                    gpuHost.next(Verdict.CLEAN, List.of(), LoadSummary.NONE, Hardware.NONE)).statusCode()).isEqualTo(200);
            TestHost plain = TestHost.enrolledAt(server, "web-1");
            assertThat(plain.upload(server, plain.next()).statusCode()).isEqualTo(200);

            String page = get(server, "/dashboard/hosts/" + gpuHost.hostId(), server.auditorToken()).body();
            String cpu = svg(page, "chart-cpu");
            // Seq 1 at 80 %, seq 2 a reported zero (drawn, 1 px), seq 3 without samples: a grey mark, no bar.
            assertThat(count(cpu, "class=bar")).isEqualTo(2);
            assertThat(cpu).contains("seq 1: 80%", "seq 2: 0%", "seq 3: not reported");
            assertThat(count(cpu, "class=missing")).isEqualTo(1);
            // The busiest GPU, not the mean of the two.
            String gpu = svg(page, "chart-gpu");
            assertThat(gpu).contains("seq 1: 97%").doesNotContain("seq 1: 50%");
            assertThat(count(gpu, "class=bar")).isEqualTo(1);
            // 24,000 J over a 60 s window: 400 W.
            assertThat(svg(page, "chart-energy")).contains("seq 1: 400 W");
            // Once a checkpoint covers them, the log status says so and no timeline cell is marked unlogged.
            server.collector().transparencyLog().integrate();
            server.collector().transparencyLog().checkpoint();
            String logged = get(server, "/dashboard/hosts/" + gpuHost.hostId(), server.auditorToken()).body();
            assertThat(logged).containsPattern("id=log-status>[^<]*: <b>3</b> / 3");
            assertThat(logged).doesNotContain(" unlogged");

            String plainPage = get(server, "/dashboard/hosts/" + plain.hostId(), server.auditorToken()).body();
            assertThat(svg(plainPage, "chart-gpu")).contains("class=not-reported").doesNotContain("class=bar");
            assertThat(svg(plainPage, "chart-energy")).contains("not reported");
            assertThat(svg(plainPage, "chart-cpu")).contains("seq 1: 12.5%");
            String zh = get(server, "/dashboard/hosts/" + plain.hostId() + "?lang=zh", server.auditorToken()).body();
            assertThat(svg(zh, "chart-gpu")).contains("未上报");
        }
    }

    @Test
    void theFleetPagePagesOnWithItsFilterAndCountsEveryHost() throws Exception {
        try (TestCollector server = TestCollector.start(dir)) {
            List<String> ids = new java.util.ArrayList<>();
            for (String name : List.of("a-1", "a-2", "a-3")) {
                TestHost h = TestHost.enrolledAt(server, name);
                assertThat(h.upload(server, h.next()).statusCode()).isEqualTo(200);
                ids.add(h.hostId());
            }
            java.util.Collections.sort(ids);
            String first = get(server, "/dashboard?limit=2", server.auditorToken()).body();
            assertThat(first).contains("CLEAN: 3").contains(ids.get(0)).contains(ids.get(1)).doesNotContain(ids.get(2));
            Matcher next = Pattern.compile("id=next-page href=\"([^\"]+)\"").matcher(first);
            assertThat(next.find()).isTrue();
            String second = get(server, next.group(1).replace("&amp;", "&"), server.auditorToken()).body();
            assertThat(second).contains(ids.get(2)).doesNotContain(ids.get(0)).doesNotContain("id=next-page");
            assertThat(second).contains("CLEAN: 3");
        }
    }

    @Test
    void anOperatorAcknowledgesAnAlertFromTheFindingsPageButNotFromAnotherSite() throws Exception {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost host = TestHost.enrolledAt(server, "miner-1");
            assertThat(host.upload(server, host.next(Verdict.MINING)).statusCode()).isEqualTo(200);
            String alertId = JsonParser.parseString(server.get("/api/v1/alerts", server.adminToken()).body())
                    .getAsJsonObject().getAsJsonArray("alerts").get(0).getAsJsonObject().get("id").getAsString();
            String operator = server.collector().issueToken(Role.OPERATOR, "night shift",
                    new TokenScope(List.of("default"), List.of()));
            String origin = "http://" + server.url().getRawAuthority();

            // An auditor reads the findings but gets no button, and a forged post is refused.
            String auditorPage = get(server, "/dashboard/findings", server.auditorToken()).body();
            assertThat(auditorPage).contains(alertId).doesNotContain("class=ack");
            String auditorCsrf = csrf(auditorPage.replace("</table>", "<input name=csrf value=\"00\"></table>"));
            assertThat(ack(server, alertId, server.auditorToken(), Map.of("Origin", origin), auditorCsrf).statusCode())
                    .isEqualTo(403);

            String page = get(server, "/dashboard/findings", operator).body();
            assertThat(page).contains("class=ack");
            String token = csrf(page);
            // Another site's form: its Origin, or no form token, or no Origin/Referer at all.
            HttpResponse<String> evil = ack(server, alertId, operator, Map.of("Origin", "http://evil.example"), token);
            assertThat(evil.statusCode()).isEqualTo(403);
            assertThat(evil.body()).contains("\"type\":\"cross-site\"");
            assertThat(ack(server, alertId, operator, Map.of("Origin", origin), "").statusCode()).isEqualTo(403);
            assertThat(ack(server, alertId, operator, Map.of("Origin", origin), "0".repeat(32)).statusCode()).isEqualTo(403);
            assertThat(ack(server, alertId, operator, Map.of(), token).statusCode()).isEqualTo(403);
            assertThat(ack(server, alertId, operator, Map.of("Referer", "http://evil.example/x"), token).statusCode())
                    .isEqualTo(403);
            assertThat(server.get("/api/v1/alerts?state=open", server.adminToken()).body()).contains(alertId);

            // From the page itself: acknowledged, back to the findings page, which now says by whom.
            HttpResponse<String> ok = ack(server, alertId, operator, Map.of("Referer", origin + "/dashboard/findings"), token);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(303);
            assertThat(ok.headers().firstValue("Location")).contains("/dashboard/findings");
            assertThat(server.get("/api/v1/alerts?state=acked", server.adminToken()).body())
                    .contains(alertId, "operator (night shift)");
            assertThat(get(server, "/dashboard/findings", operator).body()).doesNotContain("class=ack")
                    .contains("operator (night shift)");
            // Twice is harmless.
            assertThat(ack(server, alertId, operator, Map.of("Origin", origin), token).statusCode()).isEqualTo(303);
            // Without a session: to the login page, nothing acknowledged.
            HttpResponse<String> noSession = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/dashboard/alerts/"
                    + alertId + "/ack")).POST(HttpRequest.BodyPublishers.ofString("csrf=" + token)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(noSession.statusCode()).isEqualTo(303);
            assertThat(noSession.headers().firstValue("Location")).contains("/dashboard/login");
        }
    }

    private HttpResponse<String> get(TestCollector server, String path, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Cookie", "assay_session=" + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private HttpResponse<String> ack(TestCollector server, String alertId, String token, Map<String, String> headers,
            String csrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "/dashboard/alerts/" + alertId + "/ack"))
                .header("Cookie", "assay_session=" + token).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a form token on the page").isTrue();
        return m.group(1);
    }

    private static String svg(String page, String id) {
        int start = page.indexOf("<svg id=\"" + id + "\"");
        assertThat(start).as(id + " on the page").isNotNegative();
        return page.substring(start, page.indexOf("</svg>", start) + 6);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
