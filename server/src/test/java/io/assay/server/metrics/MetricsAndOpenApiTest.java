package io.assay.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Verdict;
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
                    "assay_route_duration_seconds_count{method=\"GET\",route=\"/api/v1/fleet\",status=\"200\"} 1");
            assertThat(server.getWithoutToken("/metrics").statusCode()).isEqualTo(401);
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
