package io.assay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.assay.protocol.api.EnrollResponse;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code token create --operator/--group}, {@code pledge create|list}, {@code report} and {@code ip-check} usage. */
class FleetCommandsTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = ServerMain.commandLine(Map.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void scopedTokensEnrollIntoTheirOperatorAndPledgesAreMadeAndListed() {
        String db = dir.resolve("assay.db").toString();
        Run enroll = run("token", "create", "--role", "enroll", "--operator", "acme", "--group", "site=bj1", "--db", db);
        assertThat(enroll.code()).as(enroll.err()).isZero();
        Run operator = run("token", "create", "--role", "operator", "--operator", "acme", "--db", db);
        assertThat(operator.code()).isZero();
        String hostId;
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost host = new TestHost("bj1-r12-07", "u-1");
            EnrollResponse enrolled = host.enroll(server, enroll.out().strip());
            hostId = enrolled.hostId();
            HttpResponse<String> fleet = server.get("/api/v1/fleet", operator.out().strip());
            assertThat(fleet.statusCode()).isEqualTo(200);
            assertThat(JsonParser.parseString(fleet.body()).getAsJsonObject().getAsJsonArray("hosts").get(0)
                    .getAsJsonObject().get("operator").getAsString()).isEqualTo("acme");
            assertThat(fleet.body()).contains("site=bj1");
        }

        Run refused = run("pledge", "create", "--name", "Q1", "--host", hostId, "--from", "2026-01-01T00:00:00Z",
                "--to", "2026-04-01T00:00:00Z", "--db", db);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("does not belong to operator default");
        Run created = run("pledge", "create", "--name", "Q1 不挖矿", "--group", "site=bj1", "--operator", "acme",
                "--from", "2026-01-01T00:00:00Z", "--to", "2026-04-01T00:00:00Z", "--text", "doc 17", "--db", db);
        assertThat(created.code()).as(created.err()).isZero();
        String id = created.out().strip();
        assertThat(id).matches("p-[0-9a-f]{12}");
        Run listed = run("pledge", "list", "--db", db);
        assertThat(listed.out()).contains(id, "acme", "Q1 不挖矿");

        assertThat(run("pledge", "create", "--name", "x", "--group", "g", "--from", "yesterday", "--to",
                "2026-04-01T00:00:00Z", "--db", db).code()).isEqualTo(2);
        assertThat(run("report", "--pledge", id, "--format", "docx", "--out", dir.resolve("r").toString(), "--db", db)
                .code()).isEqualTo(2);
        Run report = run("report", "--pledge", id, "--out", dir.resolve("r.json").toString(), "--db", db);
        assertThat(report.code()).as(report.err()).isZero();
        for (String cmd : new String[] {"pledge", "report", "ip-check"}) {
            Run help = run(cmd, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).contains("Usage:");
        }
        assertThat(run("ip-check", dir.resolve("missing.txt").toString(), "--db", db).code()).isEqualTo(1);
    }
}
