package io.assay.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Verdict;
import io.assay.server.RawHttp;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.server.http.Route;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, the OpenAPI document checked against the live route table, and cursor paging of a list. */
class MetricsAndOpenApiTest {
    @TempDir
    Path dir;

    @Test
    void metricsCountWhatTheCollectorDid() {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost a = TestHost.enrolledAt(server, "a");
            TestHost b = TestHost.enrolledAt(server, "b");
            TestHost.enrolledAt(server, "c");
            assertThat(a.upload(server, a.next(), a.next()).statusCode()).isEqualTo(200);
            assertThat(b.upload(server, b.next(Verdict.MINING)).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/v1/fleet", server.auditorToken()).statusCode()).isEqualTo(200);

            HttpResponse<String> m = server.get("/metrics", server.auditorToken());
            assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            assertThat(m.body()).contains(
                    "assay_hosts{verdict=\"CLEAN\"} 1.0",
                    "assay_hosts{verdict=\"MINING\"} 1.0",
                    "assay_hosts{verdict=\"none\"} 1.0",
                    "assay_reports_stored_total{verdict=\"CLEAN\"} 2.0",
                    "assay_reports_stored_total{verdict=\"MINING\"} 1.0",
                    "assay_alerts_open{kind=\"mining\"} 1.0",
                    "assay_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/fleet\",status=\"200\"} 1");
            assertThat(server.getWithoutToken("/metrics").statusCode()).isEqualTo(401);
        }
    }

    /**
     * Refusals made everywhere (route handlers, authentication, the route table, the body bound,
     * ingest's chain and signature checks, Jetty's parser) provoked over real HTTP and read back
     * from /metrics; the latency histogram is labelled by route pattern, never by the raw path.
     */
    @Test
    void everyRefusalIsCountedByReasonAndEveryRequestIsTimedByRoute() throws Exception {
        try (TestCollector server = TestCollector.start(dir, java.time.Clock.systemUTC(),
                b -> b.maxBodyBytes(16 * 1024).maxHeaderBytes(2048))) {
            TestHost a = TestHost.enrolledAt(server, "a");
            TestHost other = TestHost.enrolledAt(server, "other");
            assertThat(a.upload(server, a.next(), a.next()).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/v1/hosts/" + a.hostId(), server.auditorToken()).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/v1/hosts/" + other.hostId(), server.auditorToken()).statusCode()).isEqualTo(200);

            String seqGap = TestHost.batch(a.sealed(5, "0".repeat(64), Verdict.CLEAN));
            String prevMismatch = TestHost.batch(a.sealed(3, "0".repeat(64), Verdict.CLEAN));
            // Signed by another host's key: does not verify under a's pinned key.
            String forged = TestHost.batch(other.sealed(3, "0".repeat(64), Verdict.CLEAN));
            int[] statuses = {
                server.post("/api/v1/reports", a.token(), seqGap).statusCode(),
                server.post("/api/v1/reports", a.token(), seqGap).statusCode(),
                server.post("/api/v1/reports", a.token(), prevMismatch).statusCode(),
                server.post("/api/v1/reports", a.token(), "{not json").statusCode(),
                server.post("/api/v1/reports", a.token(), "x".repeat(32 * 1024)).statusCode(),
                server.getWithoutToken("/api/v1/hosts").statusCode(),
                server.get("/api/v1/hosts", server.enrollToken()).statusCode(),
                server.get("/api/v1/hosts/h-nope", server.auditorToken()).statusCode(),
                server.get("/no/such/route", server.auditorToken()).statusCode(),
                server.send("DELETE", "/api/v1/hosts", server.auditorToken(), "text/plain", "").statusCode(),
            };
            assertThat(statuses).containsExactly(409, 409, 409, 400, 413, 401, 403, 404, 404, 405);
            assertThat(server.post("/api/v1/reports", a.token(), forged).statusCode()).isEqualTo(422);
            // Jetty's own refusals, before the route table: an oversized header, a bad %-escape.
            RawHttp.Answer big = RawHttp.exchange(server.url(), "GET /api/v1/hosts HTTP/1.1\r\nHost: x\r\nX-Filler: "
                    + "y".repeat(4096) + "\r\nConnection: close\r\n\r\n");
            assertThat(big.status()).isEqualTo(431);
            RawHttp.Answer escape = RawHttp.exchange(server.url(), "GET /api/v1/hosts/%zz HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n");
            assertThat(escape.status()).isEqualTo(400);

            String m = server.get("/metrics", server.adminToken()).body();
            assertThat(m).contains(
                    "assay_refusals_total{reason=\"seq-gap\",status=\"409\"} 2.0",
                    "assay_refusals_total{reason=\"prev-mismatch\",status=\"409\"} 1.0",
                    "assay_refusals_total{reason=\"too-large\",status=\"413\"} 1.0",
                    "assay_refusals_total{reason=\"unauthorized\",status=\"401\"} 1.0",
                    "assay_refusals_total{reason=\"forbidden\",status=\"403\"} 1.0",
                    "assay_refusals_total{reason=\"not-found\",status=\"404\"} 2.0",
                    "assay_refusals_total{reason=\"method-not-allowed\",status=\"405\"} 1.0",
                    "assay_refusals_total{reason=\"headers-too-large\",status=\"431\"} 1.0",
                    "assay_refusals_total{reason=\"bad-signature\",status=\"422\"} 1.0");
            // malformed: the JSON upload and the bad %-escape.
            assertThat(m).contains("assay_refusals_total{reason=\"malformed\",status=\"400\"} 2.0");
            assertThat(m).contains(
                    "assay_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/hosts/{id}\",status=\"200\"} 2",
                    "assay_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/hosts/{id}\",status=\"404\"} 1",
                    "assay_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/reports\",status=\"409\"} 3",
                    "assay_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/reports\",status=\"413\"} 1",
                    "assay_http_request_duration_seconds_count{method=\"GET\",route=\"(unmatched)\",status=\"404\"} 1",
                    "assay_http_request_duration_seconds_count{method=\"DELETE\",route=\"(unmatched)\",status=\"405\"} 1",
                    "assay_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/enroll\",status=\"200\"} 2");
            // Never a raw path: no host id, no unknown path in any label.
            assertThat(m).doesNotContain(a.hostId(), "h-nope", "/no/such/route", "%zz");
        }
    }

    @Test
    void metricsOpenServesAScraperWithoutATokenAndClosedDoesNot() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("open"));
        java.nio.file.Files.createDirectories(dir.resolve("closed"));
        try (TestCollector open = TestCollector.start(dir.resolve("open"), java.time.Clock.systemUTC(),
                b -> b.metricsOpen(true))) {
            HttpResponse<String> r = open.getWithoutToken("/metrics");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("assay_hosts{verdict=\"none\"} 0.0");
            assertThat(open.get("/metrics", open.auditorToken()).statusCode()).isEqualTo(200);
            // Open metrics open nothing else, and the API document says /metrics needs no token.
            assertThat(open.getWithoutToken("/api/v1/hosts").statusCode()).isEqualTo(401);
            JsonObject metrics = JsonParser.parseString(open.getWithoutToken("/api/v1/openapi.json").body()).getAsJsonObject()
                    .getAsJsonObject("paths").getAsJsonObject("/metrics").getAsJsonObject("get");
            assertThat(metrics.getAsJsonArray("security")).isEmpty();
        }
        try (TestCollector closed = TestCollector.start(dir.resolve("closed"))) {
            HttpResponse<String> r = closed.getWithoutToken("/metrics");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("\"type\":\"unauthorized\"").doesNotContain("assay_hosts");
            assertThat(closed.get("/metrics", closed.auditorToken()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheRoutesServed() {
        try (TestCollector server = TestCollector.start(dir)) {
            HttpResponse<String> r = server.getWithoutToken("/api/v1/openapi.json");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonObject paths = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("paths");
            Set<String> documented = new HashSet<>();
            for (var path : paths.entrySet()) {
                for (var method : path.getValue().getAsJsonObject().entrySet()) {
                    documented.add(method.getKey().toUpperCase() + " " + path.getKey());
                }
            }
            Set<String> served = new HashSet<>();
            for (Route route : server.collector().routes()) {
                if (OpenApiRoutes.isApi(route.pattern())) served.add(route.method() + " " + route.pattern());
            }
            assertThat(served).contains("GET /api/v1/pledges/{id}/report", "POST /api/v1/ip-checks", "GET /metrics",
                    "POST /api/v1/reports", "GET /api/v1/hosts/{id}/coverage", "GET /api/v1/log/checkpoint");
            assertThat(documented).isEqualTo(served);
            for (String hostPath : List.of("/api/v1/hosts", "/api/v1/hosts/{id}", "/api/v1/hosts/{id}/reports",
                    "/api/v1/hosts/{id}/coverage", "/api/v1/hosts/{id}/evidence", "/api/v1/reports/{host}/{seq}")) {
                assertThat(paths.getAsJsonObject(hostPath).getAsJsonObject("get").getAsJsonArray("x-roles").toString())
                        .as(hostPath).isEqualTo("[\"admin\",\"auditor\",\"operator\"]");
            }

            // Each documented operation is dispatched: no 404 or 405, and 401 where a token is needed.
            List<String> wrong = new ArrayList<>();
            for (var path : paths.entrySet()) {
                String concrete = path.getKey().replaceAll("\\{[^}]+}", "1");
                for (var method : path.getValue().getAsJsonObject().entrySet()) {
                    boolean needsToken = !method.getValue().getAsJsonObject().getAsJsonArray("security").isEmpty();
                    HttpResponse<String> answer = switch (method.getKey()) {
                        case "get" -> server.getWithoutToken(concrete);
                        case "post" -> server.postWithoutToken(concrete, "{}");
                        default -> server.send(method.getKey().toUpperCase(), concrete, "not-a-token", "application/json", "{}");
                    };
                    int want = needsToken ? 401 : 200;
                    if (answer.statusCode() != want) wrong.add(method.getKey() + " " + concrete + " -> " + answer.statusCode());
                }
            }
            assertThat(wrong).isEmpty();
        }
    }

    @Test
    void fleetListPagesWithACursorAndFilters() {
        try (TestCollector server = TestCollector.start(dir)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                TestHost h = TestHost.enrolledAt(server, "h" + i);
                assertThat(h.upload(server, h.next(i == 3 ? Verdict.MINING : Verdict.CLEAN)).statusCode()).isEqualTo(200);
                ids.add(h.hostId());
            }
            List<String> seen = new ArrayList<>();
            String after = null;
            int pages = 0;
            do {
                HttpResponse<String> r = server.get("/api/v1/fleet?limit=2" + (after == null ? "" : "&after=" + after),
                        server.auditorToken());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
                body.getAsJsonArray("hosts").forEach(h -> seen.add(h.getAsJsonObject().get("id").getAsString()));
                after = body.get("nextAfter").isJsonNull() ? null : body.get("nextAfter").getAsString();
                pages++;
            } while (after != null);
            assertThat(pages).isEqualTo(3);
            assertThat(seen).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
            assertThat(server.get("/api/v1/fleet?verdict=mining", server.auditorToken()).body())
                    .contains(ids.get(3)).doesNotContain(ids.get(0));
            assertThat(server.get("/api/v1/fleet?after=nope", server.auditorToken()).statusCode()).isEqualTo(400);
            assertThat(server.get("/api/v1/fleet?verdict=green", server.auditorToken()).statusCode()).isEqualTo(400);
            assertThat(server.get("/api/v1/fleet?limit=0", server.auditorToken()).statusCode()).isEqualTo(400);
        }
    }
}
