package io.assay.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.server.cli.ServerMainAccess;
import io.assay.verify.VerifyMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator edits the database of a real collector in each way the issue lists; a bundle
 * exported from it ({@code assay-server evidence export}, database only) fails {@code assay-verify}
 * with a message naming what broke, or the consistency check against a checkpoint the auditor
 * saved before the edit does.
 */
class EvidenceTamperTest {
    private static final String FROM = TestHost.T0.toString();
    private static final String TO = TestHost.T0.plus(Duration.ofMinutes(10)).toString();

    @TempDir
    Path dir;
    private TestCollector server;
    private TestHost host;
    private String logKey;
    private Path saved;

    @BeforeEach
    void tenReportsAndASavedCheckpoint() throws Exception {
        server = TestCollector.start(dir, new FakeClock(TestHost.T0.minus(Duration.ofHours(1))));
        host = TestHost.enrolledAt(server, "web-1");
        for (int i = 0; i < 10; i++) assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
        HttpResponse<String> cp = server.post("/api/v1/log/checkpoint", server.adminToken(), "");
        assertThat(cp.statusCode()).isEqualTo(200);
        saved = dir.resolve("saved-checkpoint.txt");
        Files.writeString(saved, server.get("/api/v1/log/checkpoint", server.auditorToken()).body());
        logKey = server.get("/api/v1/log/key", server.auditorToken()).body().strip();
        server.close();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Verdicts(int exit, String out) {}

    private Verdicts exportAndVerify(String... extraExport) {
        Path bundle = dir.resolve("bundle-" + System.nanoTime() + ".json");
        List<String> args = new ArrayList<>(List.of("evidence", "export", "--db", server.db().toString(), "--host",
                host.hostId(), "--from", FROM, "--to", TO, "--out", bundle.toString()));
        args.addAll(List.of(extraExport));
        assertThat(ServerMainAccess.execute(args.toArray(String[]::new))).as("export exit code").isZero();
        return verify(bundle, "--checkpoint", saved.toString());
    }

    private Verdicts verify(Path bundle, String... extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of(bundle.toString(), "--log-key", logKey));
        args.addAll(List.of(extra));
        int exit = VerifyMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Verdicts(exit, out.toString(StandardCharsets.UTF_8));
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.db().toAbsolutePath());
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private byte[] envelope(long seq) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.db().toAbsolutePath());
                PreparedStatement ps = c.prepareStatement("SELECT envelope FROM reports WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }

    private void setEnvelope(long seq, byte[] envelope) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.db().toAbsolutePath());
                PreparedStatement ps = c.prepareStatement("UPDATE reports SET envelope = ? WHERE seq = ?")) {
            ps.setBytes(1, envelope);
            ps.setLong(2, seq);
            ps.executeUpdate();
        }
    }

    @Test
    void untouchedHistoryVerifiesCompleteAndALongerPeriodShowsItsGap() throws Exception {
        Verdicts v = exportAndVerify("--consistency-with", "10");
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.VALID);
        assertThat(v.out()).contains("result   VALID, complete").contains("600 of 600 s covered")
                .contains("saved checkpoint 10: same tree as the bundle's");

        Path longer = dir.resolve("longer.json");
        assertThat(ServerMainAccess.execute("evidence", "export", "--db", server.db().toString(), "--host", host.hostId(),
                "--from", FROM, "--to", TestHost.T0.plus(Duration.ofMinutes(12)).toString(), "--out", longer.toString()))
                .isZero();
        Verdicts gaps = verify(longer);
        assertThat(gaps.exit()).as(gaps.out()).isEqualTo(VerifyMain.GAPS);
        assertThat(gaps.out()).contains("GAP").contains("agent-silent").contains("VALID, with 1 gap(s)");
    }

    @Test
    void oneEditedByteIsCaught() throws Exception {
        byte[] e = envelope(4);
        int at = new String(e, StandardCharsets.UTF_8).indexOf("\"sig\":\"") + 8;
        e[at] = (byte) (e[at] == 'A' ? 'B' : 'A');
        setEnvelope(4, e);
        Verdicts v = exportAndVerify();
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.INVALID);
        assertThat(v.out()).contains("seq 4: inclusion proof").contains("seq 4: signature");
    }

    @Test
    void aDeletedRowIsCaught() throws Exception {
        sql("DELETE FROM reports WHERE seq = 5");
        Verdicts v = exportAndVerify();
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.INVALID);
        assertThat(v.out()).contains("seq 6: chain: seq 5 missing (a row was deleted)").contains("chain-broken");
    }

    @Test
    void twoSwappedRowsAreCaught() throws Exception {
        byte[] three = envelope(3);
        byte[] four = envelope(4);
        setEnvelope(3, four);
        setEnvelope(4, three);
        Verdicts v = exportAndVerify();
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.INVALID);
        assertThat(v.out()).contains("seq 3: row: the row of seq 3 holds the signed report of seq 4")
                .contains("seq 3: inclusion proof");
    }

    @Test
    void aBackDatedReportInsertedIntoTheDatabaseIsCaught() throws Exception {
        // Worst case: the inserter even holds the host key, so signature and chain pass.
        SignedReport next = host.next();
        SignedReport forged = io.assay.protocol.Envelopes.seal(withWindow(host.sealed(11, next.report().prev(),
                Verdict.CLEAN), TestHost.T0.plusSeconds(30).toEpochMilli()), host.signer());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.db().toAbsolutePath());
                PreparedStatement ps = c.prepareStatement("INSERT INTO reports (host_id, seq, payload_hash, window_start,"
                        + " window_end, verdict, received_at, agent_started_ms, envelope) VALUES (?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, host.hostId());
            ps.setLong(2, 11);
            ps.setString(3, forged.payloadHash());
            ps.setLong(4, forged.report().windowStartMs());
            ps.setLong(5, forged.report().windowEndMs());
            ps.setString(6, "CLEAN");
            ps.setLong(7, 0);
            ps.setLong(8, forged.report().agentStartedMs());
            ps.setBytes(9, io.assay.protocol.Json.toBytes(forged.envelope()));
            ps.executeUpdate();
        }
        Verdicts v = exportAndVerify();
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.INVALID);
        assertThat(v.out()).contains("seq 11: log: not in the transparency log").contains("seq 11: time:")
                .contains("back-dated");
    }

    private static io.assay.protocol.Report withWindow(SignedReport r, long startMs) {
        io.assay.protocol.Report x = r.report();
        return new io.assay.protocol.Report(x.formatVersion(), x.hostId(), x.seq(), x.prev(), startMs, startMs + 60_000,
                x.agentVersion(), x.agentStartedMs(), x.rulesHash(), x.allowlistHash(), x.load(), x.topProcesses(),
                x.findings(), x.verdict(), x.notes());
    }

    @Test
    void aTruncatedLogIsCaughtAgainstTheSavedCheckpoint() throws Exception {
        // The operator drops leaves 6.. and every checkpoint, so the collector starts and signs size 6.
        sql("DELETE FROM log_leaves WHERE leaf_index >= 6");
        sql("DELETE FROM log_nodes WHERE (idx + 1) * (1 << level) > 6");
        sql("DELETE FROM log_cosignatures");
        sql("DELETE FROM log_checkpoints");
        server = server.restart();
        server.close();
        Path bundle = dir.resolve("truncated.json");
        assertThat(ServerMainAccess.execute("evidence", "export", "--db", server.db().toString(), "--host", host.hostId(),
                "--from", FROM, "--to", TO, "--consistency-with", "10", "--out", bundle.toString()))
                .as("the collector cannot prove consistency with a larger tree").isEqualTo(1);
        assertThat(ServerMainAccess.execute("evidence", "export", "--db", server.db().toString(), "--host", host.hostId(),
                "--from", FROM, "--to", TO, "--out", bundle.toString())).isZero();
        Verdicts v = verify(bundle, "--checkpoint", saved.toString());
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.INVALID);
        assertThat(v.out()).contains("the bundle has no consistency proof between your saved checkpoint 10 and its"
                + " checkpoint 6").contains("log shrank").contains("seq 7: log: not in the transparency log");
    }

    @Test
    void aLogRebuiltWithoutOneReportIsCaughtEvenAtTheSameSize() throws Exception {
        sql("DELETE FROM log_leaves");
        sql("DELETE FROM log_nodes");
        sql("DELETE FROM log_cosignatures");
        sql("DELETE FROM log_checkpoints");
        sql("INSERT INTO log_queue (host_id, seq) SELECT host_id, seq FROM reports WHERE seq <> 5 ORDER BY seq");
        server = server.restart();
        assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
        assertThat(server.post("/api/v1/log/checkpoint", server.adminToken(), "").body()).contains("\n10\n");
        server.close();
        Verdicts v = exportAndVerify("--consistency-with", "10");
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.INVALID);
        assertThat(v.out()).contains("both have tree size 10 but different roots: the log was rebuilt or forked")
                .contains("seq 5: log: not in the transparency log");
    }

    @Test
    void theHttpRouteStreamsTheSameKindOfBundle() throws Exception {
        server = server.restart();
        HttpResponse<String> r = server.get("/api/v1/hosts/" + host.hostId() + "/evidence?from=" + FROM + "&to=" + TO
                + "&consistencyWith=10", server.auditorToken());
        assertThat(r.statusCode()).isEqualTo(200);
        Path bundle = dir.resolve("http.json");
        Files.writeString(bundle, r.body());
        Verdicts v = verify(bundle, "--checkpoint", saved.toString());
        assertThat(v.exit()).as(v.out()).isEqualTo(VerifyMain.VALID);
        assertThat(server.get("/api/v1/hosts/nope/evidence", server.auditorToken()).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/v1/hosts/" + host.hostId() + "/evidence", host.token()).statusCode()).isEqualTo(403);
    }
}
