package io.assay.server.report;

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
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Role;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pledge over a clean, a mining and a mostly unattested host of one operator, on a real
 * collector: operator scoping, the JSON, CSV and PDF reports, and the CLI's report. The report
 * reads the summaries ingest keeps (coverage stretches, finding runs, day rows); the CSV, PDF and
 * CLI parts run after every report row is deleted, so they can only be right if those are.
 */
class PledgeReportTest {
    private static final Instant FROM = TestHost.T0.minus(Duration.ofMinutes(5));
    private static final Instant TO = TestHost.T0.plus(Duration.ofMinutes(20));

    @TempDir
    Path dir;

    @Test
    void reportOfAPledgeMatchesWhatTheStoredReportsSay() throws Exception {
        FakeClock clock = new FakeClock(TestHost.T0.minus(Duration.ofMinutes(10)));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            var c = server.collector();
            String acmeEnroll = c.issueToken(Role.ENROLL, "acme", new TokenScope(List.of("acme"), List.of("site=bj1")));
            String acmeOperator = c.issueToken(Role.OPERATOR, "acme ops", new TokenScope(List.of("acme"), List.of()));
            String otherAuditor = c.issueToken(Role.AUDITOR, "other", new TokenScope(List.of("other"), List.of()));

            TestHost clean = new TestHost("clean-1", "u-clean");
            clean.enroll(server, acmeEnroll);
            TestHost miner = new TestHost("miner-1", "u-miner");
            miner.enroll(server, acmeEnroll);
            TestHost silent = new TestHost("silent-1", "u-silent");
            silent.enroll(server, acmeEnroll);
            TestHost foreign = TestHost.enrolledAt(server, "foreign-1"); // default operator

            for (int i = 0; i < 12; i++) assertThat(clean.upload(server, clean.next()).statusCode()).isEqualTo(200);
            for (int i = 0; i < 5; i++) assertThat(miner.upload(server, miner.next()).statusCode()).isEqualTo(200);
            Finding wallet = new Finding("sig.wallet.cmdline", Finding.Kind.SIGNATURE,
                    "process 4242 (xmr-test) has a checksum-valid wallet address in its command line", 4242, "xmr-test",
                    "/tmp/xmr-test", "b".repeat(64), "root", List.of("44AFFq5k…"), TestHost.T0.toEpochMilli(), "");
            for (int i = 0; i < 3; i++) {
                assertThat(miner.upload(server, miner.next(Verdict.MINING, List.of(wallet))).statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < 2; i++) assertThat(silent.upload(server, silent.next()).statusCode()).isEqualTo(200);
            assertThat(foreign.upload(server, foreign.next()).statusCode()).isEqualTo(200);

            // The operator sees its own fleet only, and cannot pledge another operator's host.
            HttpResponse<String> fleet = server.get("/api/v1/fleet", acmeOperator);
            assertThat(fleet.statusCode()).as(fleet.body()).isEqualTo(200);
            assertThat(fleet.body()).contains(clean.hostId(), miner.hostId(), silent.hostId()).doesNotContain(foreign.hostId());
            assertThat(fleet.body()).contains("\"site=bj1\"");
            HttpResponse<String> refused = server.post("/api/v1/pledges", acmeOperator, pledgeBody(List.of(foreign.hostId())));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("does not belong to operator acme");
            assertThat(server.post("/api/v1/pledges", server.auditorToken(), pledgeBody(List.of())).statusCode())
                    .isEqualTo(403);
            assertThat(server.postWithoutToken("/api/v1/pledges", pledgeBody(List.of())).statusCode()).isEqualTo(401);

            HttpResponse<String> created = server.post("/api/v1/pledges", acmeOperator, pledgeBody(List.of(clean.hostId())));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
            assertThat(server.get("/api/v1/pledges", acmeOperator).body()).contains(id);
            assertThat(server.get("/api/v1/pledges", otherAuditor).body()).doesNotContain(id);
            assertThat(server.get("/api/v1/pledges/" + id + "/report", otherAuditor).statusCode()).isEqualTo(404);
            assertThat(server.getWithoutToken("/api/v1/pledges/" + id + "/report").statusCode()).isEqualTo(401);
            assertThat(server.get("/api/v1/pledges/" + id + "/report?format=doc", acmeOperator).body())
                    .contains("not one of json, csv, pdf");

            clock.advance(Duration.ofHours(1)); // the period is over
            Map<String, Expected> expected = new HashMap<>();
            for (TestHost h : List.of(clean, miner, silent)) expected.put(h.hostId(), expected(server, h.hostId()));

            // JSON
            HttpResponse<String> json = server.get("/api/v1/pledges/" + id + "/report?format=json", server.auditorToken());
            assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
            JsonObject report = JsonParser.parseString(json.body()).getAsJsonObject();
            JsonArray hosts = report.getAsJsonArray("hosts");
            assertThat(hosts).hasSize(3);
            long coveredTotal = 0;
            for (var e : hosts) {
                JsonObject h = e.getAsJsonObject();
                Expected x = expected.get(h.get("host").getAsString());
                assertThat(h.get("coveredSeconds").getAsDouble()).isEqualTo(x.coveredMs / 1000.0);
                assertThat(h.get("gapSeconds").getAsDouble()).isEqualTo((periodMs() - x.coveredMs) / 1000.0);
                for (Verdict v : Verdict.values()) {
                    assertThat(h.getAsJsonObject("verdictSeconds").get(v.name()).getAsDouble())
                            .as(v.name()).isEqualTo(x.byVerdict.getOrDefault(v, 0L) / 1000.0);
                }
                coveredTotal += x.coveredMs;
            }
            assertThat(expected.get(clean.hostId()).coveredMs).isEqualTo(12 * 60_000L);
            assertThat(expected.get(miner.hostId()).byVerdict.get(Verdict.MINING)).isEqualTo(3 * 60_000L);
            JsonObject minerLine = hostLine(hosts, miner.hostId());
            JsonObject finding = minerLine.getAsJsonArray("findings").get(0).getAsJsonObject();
            assertThat(finding.get("ruleId").getAsString()).isEqualTo("sig.wallet.cmdline");
            assertThat(finding.get("reports").getAsInt()).isEqualTo(3);
            assertThat(finding.getAsJsonObject("evidence").get("exePath").getAsString()).isEqualTo("/tmp/xmr-test");
            assertThat(hostLine(hosts, clean.hostId()).getAsJsonArray("findings")).isEmpty();
            JsonObject totals = report.getAsJsonObject("totals");
            assertThat(totals.get("coveredSeconds").getAsDouble()).isEqualTo(coveredTotal / 1000.0);
            assertThat(totals.get("gapSeconds").getAsDouble()).isEqualTo((3 * periodMs() - coveredTotal) / 1000.0);
            assertThat(totals.get("hostsWithMining").getAsInt()).isEqualTo(1);
            assertThat(totals.get("energyJoules").isJsonNull()).isTrue();
            JsonObject checkpoint = report.getAsJsonObject("checkpoint");
            assertThat(checkpoint.get("size").getAsLong()).isEqualTo(12 + 8 + 2 + 1);
            assertThat(checkpoint.get("reportsNotInCheckpoint").getAsLong()).isZero();
            assertThat(checkpoint.get("note").getAsString()).contains("\n23\n");

            // The report reads the summaries ingest wrote, never the reports: a clean host's 12
            // reports are one coverage stretch. Delete every report row; what follows (CSV, CLI)
            // must still give the figures the test computed from those rows.
            List<io.assay.server.store.SummaryTables.Stretch> cleanStretches = server.collector().store().read(tx ->
                    tx.summaries().stretches(List.of(clean.hostId()), FROM.toEpochMilli(), TO.toEpochMilli()));
            assertThat(cleanStretches).hasSize(1);
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + server.db());
                    Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                assertThat(st.executeUpdate("DELETE FROM reports")).isEqualTo(23);
            }

            // CSV: header, one row per host, the same figures.
            HttpResponse<String> csv = server.get("/api/v1/pledges/" + id + "/report?format=csv", acmeOperator);
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
            List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                    .parse(new StringReader(csv.body())).getRecords();
            assertThat(rows).hasSize(3);
            for (CSVRecord row : rows) {
                Expected x = expected.get(row.get("host"));
                assertThat(Double.parseDouble(row.get("coveredSeconds"))).isEqualTo(x.coveredMs / 1000.0);
                assertThat(Double.parseDouble(row.get("gapSeconds"))).isEqualTo((periodMs() - x.coveredMs) / 1000.0);
                assertThat(Double.parseDouble(row.get("miningSeconds")))
                        .isEqualTo(x.byVerdict.getOrDefault(Verdict.MINING, 0L) / 1000.0);
                assertThat(row.get("groups")).isEqualTo("site=bj1");
            }

            // PDF: renders, not blank, Chinese text present.
            HttpResponse<byte[]> pdf = server.getBytes("/api/v1/pledges/" + id + "/report?format=pdf", acmeOperator);
            assertThat(pdf.statusCode()).isEqualTo(200);
            Path pdfFile = Path.of("target", "report-" + id + ".pdf");
            Files.createDirectories(pdfFile.getParent());
            Files.write(pdfFile, pdf.body());
            assertPdfRendersChinese(pdfFile);

            // CLI: the same CSV from the database.
            Path out = dir.resolve("report.csv");
            int rc = ServerMain.execute("report", "--pledge", id, "--format", "csv", "--out", out.toString(),
                    "--db", server.db().toString());
            assertThat(rc).isZero();
            List<CSVRecord> cliRows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                    .parse(new StringReader(Files.readString(out))).getRecords();
            assertThat(cliRows).hasSize(3);
            for (CSVRecord row : cliRows) {
                assertThat(Double.parseDouble(row.get("coveredSeconds")))
                        .isEqualTo(expected.get(row.get("host")).coveredMs / 1000.0);
            }
            assertThat(ServerMain.execute("report", "--pledge", "p-nope", "--out", out.toString(),
                    "--db", server.db().toString())).isEqualTo(1);
        }
    }

    private static long periodMs() {
        return TO.toEpochMilli() - FROM.toEpochMilli();
    }

    private static String pledgeBody(List<String> hosts) {
        JsonObject o = new JsonObject();
        o.addProperty("name", "No mining in BJ1 / 北京一号机房不挖矿");
        JsonArray h = new JsonArray();
        hosts.forEach(h::add);
        o.add("hosts", h);
        JsonArray g = new JsonArray();
        g.add("site=bj1");
        o.add("groups", g);
        o.addProperty("from", FROM.toString());
        o.addProperty("to", TO.toString());
        o.addProperty("text", "我们承诺不在数据中心挖矿。");
        return o.toString();
    }

    private static JsonObject hostLine(JsonArray hosts, String id) {
        for (var e : hosts) {
            if (e.getAsJsonObject().get("host").getAsString().equals(id)) return e.getAsJsonObject();
        }
        throw new AssertionError("no line for " + id);
    }

    /** Covered time by verdict, from the stored index rows: each window clipped to the period. */
    private record Expected(long coveredMs, Map<Verdict, Long> byVerdict) {}

    private static Expected expected(TestCollector server, String hostId) {
        List<ReportRow> rows = server.collector().store().read(tx -> tx.listReports(hostId,
                new ReportQuery(Long.MIN_VALUE, Long.MAX_VALUE, 0, 10_000)));
        long covered = 0;
        Map<Verdict, Long> by = new EnumMap<>(Verdict.class);
        for (ReportRow r : rows) {
            long ms = Math.max(0, Math.min(r.windowEndMs(), TO.toEpochMilli()) - Math.max(r.windowStartMs(), FROM.toEpochMilli()));
            covered += ms;
            by.merge(r.verdict(), ms, Long::sum);
        }
        return new Expected(covered, by);
    }

    private static void assertPdfRendersChinese(Path pdf) throws IOException, InterruptedException {
        Path prefix = pdf.resolveSibling(pdf.getFileName().toString().replace(".pdf", ""));
        run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf.toString(), prefix.toString());
        BufferedImage page = ImageIO.read(prefix.resolveSibling(prefix.getFileName() + ".png").toFile());
        assertThat(page).isNotNull();
        long dark = 0;
        for (int y = 0; y < page.getHeight(); y++) {
            for (int x = 0; x < page.getWidth(); x++) {
                int rgb = page.getRGB(x, y);
                if (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff) < 300) dark++;
            }
        }
        assertThat(dark).as("dark pixels on page 1").isGreaterThan(1000);
        String text = run("pdftotext", "-layout", pdf.toString(), "-");
        assertThat(text).contains("合规报告", "北京一号机房不挖矿", "挖矿");
        String fonts = run("pdffonts", pdf.toString());
        assertThat(fonts).contains("WenQuanYi").contains("yes"); // embedded
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + text).isZero();
        return text;
    }
}
