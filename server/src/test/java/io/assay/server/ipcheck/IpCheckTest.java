package io.assay.server.ipcheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.server.cli.ServerMain;
import io.assay.server.store.FleetTables.TokenScope;
import io.assay.server.store.Role;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A regulator's list against a real collector whose hosts stated their addresses in signed reports. */
class IpCheckTest {
    private static final Instant T0 = TestHost.T0;

    @TempDir
    Path dir;

    @Test
    void answersEachListedAddressWithTheHostsThatHeldItThen() throws Exception {
        FakeClock clock = new FakeClock(T0.minus(Duration.ofMinutes(10)));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            TestHost miner = TestHost.enrolledAt(server, "miner-1").withAddresses("203.0.113.10", "fe80::1");
            TestHost clean = TestHost.enrolledAt(server, "clean-1").withAddresses("203.0.113.20");
            TestHost a = TestHost.enrolledAt(server, "a-1").withAddresses("198.51.100.7");
            TestHost b = TestHost.enrolledAt(server, "b-1").withAddresses("198.51.100.9");
            Finding pool = new Finding("sig.cmdline.miner", Finding.Kind.SIGNATURE,
                    "process 77 (kworker) has a miner command line", 77, "kworker", "/dev/shm/.x", "c".repeat(64), "nobody",
                    List.of("stratum+tcp://"), T0.toEpochMilli(), "");
            for (int i = 0; i < 3; i++) ok(miner.upload(server, miner.next()));
            for (int i = 0; i < 3; i++) ok(miner.upload(server, miner.next(Verdict.MINING, List.of(pool))));
            for (int i = 0; i < 6; i++) ok(clean.upload(server, clean.next()));
            // 198.51.100.7: host a during minutes 0-3, then host b during minutes 15-20.
            for (int i = 0; i < 3; i++) ok(a.upload(server, a.next()));
            a.withAddresses("198.51.100.8");
            for (int i = 0; i < 17; i++) ok(a.upload(server, a.next()));
            for (int i = 0; i < 15; i++) ok(b.upload(server, b.next()));
            b.withAddresses("198.51.100.7");
            for (int i = 0; i < 5; i++) ok(b.upload(server, b.next()));

            String list = String.join("\n",
                    "# regulator list 2025-03",
                    "203.0.113.10",
                    "203.0.113.20,2025-03-01,2025-03-01",
                    "198.51.100.7," + T0 + "," + T0.plus(Duration.ofMinutes(3)),
                    "198.51.100.7," + T0.plus(Duration.ofMinutes(15)) + "," + T0.plus(Duration.ofMinutes(20)),
                    "198.51.100.7",
                    "192.0.2.99",
                    "203.0.113.0/24",
                    "127.0.0.1",
                    "");
            HttpResponse<String> r = server.send("POST", "/api/v1/ip-checks", server.auditorToken(), "text/plain", list);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonArray results = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("results");
            assertThat(results).hasSize(8);

            JsonObject mining = results.get(0).getAsJsonObject();
            assertThat(mining.get("line").getAsInt()).isEqualTo(2);
            assertThat(mining.get("status").getAsString()).isEqualTo("ours");
            assertThat(mining.get("mining").getAsBoolean()).isTrue();
            assertThat(hosts(mining)).containsExactly(miner.hostId());
            JsonObject minerHost = mining.getAsJsonArray("hosts").get(0).getAsJsonObject();
            assertThat(minerHost.getAsJsonObject("verdictSeconds").get("MINING").getAsDouble()).isEqualTo(180.0);
            assertThat(minerHost.getAsJsonArray("findings").get(0).getAsJsonObject().getAsJsonObject("evidence")
                    .get("exePath").getAsString()).isEqualTo("/dev/shm/.x");

            JsonObject cleanAnswer = results.get(1).getAsJsonObject();
            assertThat(cleanAnswer.get("status").getAsString()).isEqualTo("ours");
            assertThat(cleanAnswer.get("mining").getAsBoolean()).isFalse();
            assertThat(hosts(cleanAnswer)).containsExactly(clean.hostId());
            assertThat(cleanAnswer.getAsJsonArray("hosts").get(0).getAsJsonObject().getAsJsonObject("verdictSeconds")
                    .get("CLEAN").getAsDouble()).isEqualTo(360.0);

            assertThat(hosts(results.get(2).getAsJsonObject())).containsExactly(a.hostId());
            assertThat(hosts(results.get(3).getAsJsonObject())).containsExactly(b.hostId());
            assertThat(hosts(results.get(4).getAsJsonObject())).containsExactlyInAnyOrder(a.hostId(), b.hostId());
            assertThat(results.get(5).getAsJsonObject().get("status").getAsString()).isEqualTo("not-ours");
            assertThat(hosts(results.get(5).getAsJsonObject())).isEmpty();
            assertThat(hosts(results.get(6).getAsJsonObject())).containsExactlyInAnyOrder(miner.hostId(), clean.hostId());
            // Every upload came from 127.0.0.1 at one instant (the clock stood still) no report covers.
            JsonObject upload = results.get(7).getAsJsonObject();
            assertThat(upload.get("status").getAsString()).isEqualTo("not-covered");
            assertThat(hosts(upload)).hasSize(4);

            // The same as CSV with a header; a scoped operator sees no host of another operator.
            String operator = server.collector().issueToken(Role.OPERATOR, "acme", new TokenScope(List.of("acme"), List.of()));
            HttpResponse<String> scoped = server.send("POST", "/api/v1/ip-checks", operator, "text/csv",
                    "address,from,to\n203.0.113.10,2025-03-01,2025-03-02\n");
            assertThat(scoped.statusCode()).as(scoped.body()).isEqualTo(200);
            assertThat(scoped.body()).contains("\"status\":\"not-ours\"").doesNotContain(miner.hostId());

            // Bad lines are all named; nothing without a token; no other media types.
            HttpResponse<String> bad = server.send("POST", "/api/v1/ip-checks", server.auditorToken(), "text/plain",
                    "203.0.113.10\nexample.com\n10.0.0.0/33\n203.0.113.10,2025-03-02,2025-03-01\n");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("line 2", "line 3", "line 4").doesNotContain("line 1:");
            assertThat(server.postWithoutToken("/api/v1/ip-checks", "203.0.113.10").statusCode()).isEqualTo(401);
            assertThat(server.send("POST", "/api/v1/ip-checks", server.auditorToken(), "application/json", "[]")
                    .statusCode()).isEqualTo(415);

            // The CLI answers the same list from the database.
            Path file = dir.resolve("list.txt");
            Files.writeString(file, list);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream saved = System.out;
            int rc;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                rc = ServerMain.execute("ip-check", file.toString(), "--db", server.db().toString());
            } finally {
                System.setOut(saved);
            }
            assertThat(rc).isZero();
            JsonArray cli = JsonParser.parseString(out.toString(StandardCharsets.UTF_8)).getAsJsonObject()
                    .getAsJsonArray("results");
            assertThat(hosts(cli.get(0).getAsJsonObject())).containsExactly(miner.hostId());
            assertThat(cli.get(5).getAsJsonObject().get("status").getAsString()).isEqualTo("not-ours");
            Files.writeString(file, "not an address\n");
            assertThat(ServerMain.execute("ip-check", file.toString(), "--db", server.db().toString())).isEqualTo(1);
        }
    }

    private static void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<String> hosts(JsonObject answer) {
        List<String> out = new ArrayList<>();
        answer.getAsJsonArray("hosts").forEach(h -> out.add(h.getAsJsonObject().get("host").getAsString()));
        return out;
    }
}
