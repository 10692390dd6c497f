package io.assay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Json;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enroll tokens expire and run out of uses; any token can be revoked (CLI against a running collector's database). */
class TokenLifecycleTest {
    @TempDir
    Path dir;

    private record Ran(int exit, String out) {}

    private static Ran cli(String... args) {
        StringWriter out = new StringWriter();
        var cl = ServerMain.commandLine(Map.of());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int exit = cl.execute(args);
        return new Ran(exit, out.toString());
    }

    private static HttpResponse<String> enroll(TestCollector server, String token) {
        TestHost host = new TestHost("web-" + System.nanoTime(), "uuid-" + System.nanoTime());
        return server.post("/api/v1/enroll", token, Json.toJson(host.enrollRequest(token, server.collector().clock().millis())));
    }

    @Test
    void useCountExpiryAndRevocation() {
        FakeClock clock = new FakeClock(Instant.now());
        try (TestCollector server = TestCollector.start(dir, clock)) {
            String db = server.db().toString();
            String once = cli("token", "create", "--role", "enroll", "--uses", "1", "--db", db).out().strip();
            assertThat(enroll(server, once).statusCode()).isEqualTo(200);
            HttpResponse<String> again = enroll(server, once);
            assertThat(again.statusCode()).isEqualTo(403);
            assertThat(again.body()).contains("token-refused").contains("no uses left");

            String shortLived = cli("token", "create", "--role", "enroll", "--expires", "30m", "--db", db).out().strip();
            clock.advance(Duration.ofMinutes(31));
            HttpResponse<String> late = enroll(server, shortLived);
            assertThat(late.statusCode()).isEqualTo(403);
            assertThat(late.body()).contains("expired at");

            String auditor = cli("token", "create", "--role", "auditor", "--db", db).out().strip();
            assertThat(server.get("/api/v1/hosts", auditor).statusCode()).isEqualTo(200);
            Ran list = cli("token", "list", "--db", db);
            String hash = io.assay.server.auth.Tokens.hash(auditor).substring(0, 12);
            assertThat(list.out()).contains(hash);
            Ran revoke = cli("token", "revoke", hash, "--db", db);
            assertThat(revoke.exit()).as(revoke.out()).isZero();
            HttpResponse<String> refused = server.get("/api/v1/hosts", auditor);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("revoked");
            assertThat(cli("token", "revoke", hash, "--db", db).exit()).isEqualTo(1);
            assertThat(cli("token", "revoke", "ffffffffff", "--db", db).out()).contains("No token's hash starts with");
            assertThat(cli("token", "create", "--role", "auditor", "--uses", "2", "--db", db).exit()).isEqualTo(2);
        }
    }
}
