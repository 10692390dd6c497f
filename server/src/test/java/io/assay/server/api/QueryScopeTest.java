package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.server.store.FleetTables.TokenScope;
import io.assay.server.store.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host routes seen through each token's scope, over real HTTP: an operator token sees its own
 * fleet only, a scoped auditor the operators it names, an unscoped auditor and admin all; a host
 * out of scope answers exactly like a host that does not exist.
 */
class QueryScopeTest {
    @TempDir
    Path dir;

    @Test
    void operatorAndScopedAuditorTokensSeeOnlyTheirOperatorsHosts() {
        try (TestCollector server = TestCollector.start(dir)) {
            var c = server.collector();
            String acmeEnroll = c.issueToken(Role.ENROLL, "acme", new TokenScope(List.of("acme"), List.of()));
            String betaEnroll = c.issueToken(Role.ENROLL, "beta", new TokenScope(List.of("beta"), List.of()));
            String acmeOperator = c.issueToken(Role.OPERATOR, "acme ops", new TokenScope(List.of("acme"), List.of()));
            String unscopedOperator = c.issueToken(Role.OPERATOR, "no scope");
            String betaAuditor = c.issueToken(Role.AUDITOR, "beta audit", new TokenScope(List.of("beta"), List.of()));

            List<TestHost> acme = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TestHost h = new TestHost("acme-" + i, java.util.UUID.randomUUID().toString());
                h.enroll(server, acmeEnroll);
                assertThat(h.upload(server, h.next(), h.next()).statusCode()).isEqualTo(200);
                acme.add(h);
            }
            TestHost beta = new TestHost("beta-0", java.util.UUID.randomUUID().toString());
            beta.enroll(server, betaEnroll);
            assertThat(beta.upload(server, beta.next()).statusCode()).isEqualTo(200);
            TestHost dflt = TestHost.enrolledAt(server, "default-0");

            List<String> acmeIds = acme.stream().map(TestHost::hostId).toList();
            assertThat(listAll(server, acmeOperator)).containsExactlyInAnyOrderElementsOf(acmeIds);
            assertThat(listAll(server, betaAuditor)).containsExactly(beta.hostId());
            // An operator token that names no operator sees the default operator's hosts, never another's.
            assertThat(listAll(server, unscopedOperator)).containsExactly(dflt.hostId());
            List<String> all = new ArrayList<>(acmeIds);
            all.add(beta.hostId());
            all.add(dflt.hostId());
            assertThat(listAll(server, server.auditorToken())).containsExactlyInAnyOrderElementsOf(all);
            assertThat(listAll(server, server.adminToken())).containsExactlyInAnyOrderElementsOf(all);

            // Own hosts: every host route answers.
            for (String path : hostPaths(acme.get(0).hostId())) {
                HttpResponse<String> r = server.get(path, acmeOperator);
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            }
            // Another operator's host: 404 with the same problem as a host that does not exist.
            for (String path : hostPaths(beta.hostId())) {
                HttpResponse<String> r = server.get(path, acmeOperator);
                assertThat(r.statusCode()).as(path).isEqualTo(404);
                assertThat(r.body()).contains("\"type\":\"not-found\"", "no host " + beta.hostId() + " is enrolled");
                assertThat(r.body()).doesNotContain("beta-0");
            }
            for (String path : hostPaths(acme.get(1).hostId())) {
                assertThat(server.get(path, betaAuditor).statusCode()).as(path).isEqualTo(404);
                assertThat(server.get(path, server.auditorToken()).statusCode()).as(path).isEqualTo(200);
            }
            HttpResponse<String> missing = server.get("/api/v1/hosts/h-nope", acmeOperator);
            HttpResponse<String> hidden = server.get("/api/v1/hosts/" + beta.hostId(), acmeOperator);
            assertThat(hidden.body().replace(beta.hostId(), "X")).isEqualTo(missing.body().replace("h-nope", "X"));
            // Enroll and host tokens still may not read.
            assertThat(server.get("/api/v1/hosts", server.enrollToken()).statusCode()).isEqualTo(403);
            assertThat(server.get("/api/v1/hosts", beta.token()).statusCode()).isEqualTo(403);
        }
    }

    private static List<String> hostPaths(String id) {
        return List.of("/api/v1/hosts/" + id, "/api/v1/hosts/" + id + "/reports", "/api/v1/reports/" + id + "/1",
                "/api/v1/hosts/" + id + "/coverage", "/api/v1/hosts/" + id + "/evidence");
    }

    /** Every host id of the list, paging two at a time so the scoped cursor is exercised. */
    private static List<String> listAll(TestCollector server, String token) {
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<String> r = server.get("/api/v1/hosts?limit=2" + (after == null ? "" : "&after=" + after), token);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
            body.getAsJsonArray("hosts").forEach(h -> seen.add(h.getAsJsonObject().get("hostId").getAsString()));
            after = body.get("nextAfter").isJsonNull() ? null : body.get("nextAfter").getAsString();
        } while (after != null);
        assertThat(seen).doesNotHaveDuplicates();
        return seen;
    }
}
