package io.assay.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.VerificationException;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.protocol.log.TreeHash;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transparency log on a real collector: checkpoints, proofs, verbatim leaves, the start-up check. */
class LogApiTest {
    @TempDir
    Path dir;

    /** An envelope written the way another agent might: keys reordered, extra spaces. */
    private static String oddlyFormatted(Envelope e) {
        Envelope.Signature s = e.signatures().get(0);
        return "{ \"signatures\" : [ {\"sig\":\"" + s.sig() + "\", \"keyid\":\"" + s.keyid() + "\"} ],\n  \"payloadType\": \""
                + e.payloadType() + "\", \"payload\":\"" + e.payload() + "\" }";
    }

    private static NoteVerifierKey key(TestCollector server) {
        HttpResponse<String> r = server.get("/api/v1/log/key", server.auditorToken());
        assertThat(r.statusCode()).isEqualTo(200);
        return NoteVerifierKey.parse(r.body());
    }

    private static Checkpoint checkpointNow(TestCollector server, NoteVerifierKey key) throws VerificationException {
        HttpResponse<String> r = server.post("/api/v1/log/checkpoint", server.adminToken(), "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        HttpResponse<String> latest = server.get("/api/v1/log/checkpoint", server.auditorToken());
        assertThat(latest.body()).isEqualTo(r.body());
        return Checkpoint.open(latest.body(), key).checkpoint();
    }

    @Test
    void leavesAreTheEnvelopeBytesAsSentAndProofsVerifyAgainstSignedCheckpoints() throws Exception {
        try (TestCollector server = TestCollector.start(dir)) {
            NoteVerifierKey key = key(server);
            TestHost host = TestHost.enrolledAt(server, "web-1");
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                SignedReport r = host.next();
                String raw = oddlyFormatted(r.envelope());
                sent.add(raw);
                HttpResponse<String> up = server.post("/api/v1/reports", host.token(), "{\"reports\":[" + raw + "]}");
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            }
            Checkpoint five = checkpointNow(server, key);
            assertThat(five.size()).isEqualTo(5);
            for (int seq = 1; seq <= 5; seq++) {
                JsonObject p = JsonParser.parseString(server.get("/api/v1/log/proof/inclusion?host=" + host.hostId()
                        + "&seq=" + seq + "&size=5", server.auditorToken()).body()).getAsJsonObject();
                TreeHash leaf = Merkle.leafHash(sent.get(seq - 1).getBytes(StandardCharsets.UTF_8));
                assertThat(p.get("leafHash").getAsString()).as("leaf of seq %d is the bytes as sent", seq)
                        .isEqualTo(leaf.base64());
                List<TreeHash> hashes = new ArrayList<>();
                p.getAsJsonArray("hashes").forEach(h -> hashes.add(TreeHash.fromBase64(h.getAsString())));
                Merkle.verifyInclusion(p.get("index").getAsLong(), 5, leaf, hashes, five.root());
            }

            for (int i = 0; i < 3; i++) assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
            Checkpoint eight = checkpointNow(server, key);
            assertThat(eight.size()).isEqualTo(8);
            JsonObject c = JsonParser.parseString(server.get("/api/v1/log/proof/consistency?from=5&to=8",
                    server.auditorToken()).body()).getAsJsonObject();
            List<TreeHash> proof = new ArrayList<>();
            c.getAsJsonArray("hashes").forEach(h -> proof.add(TreeHash.fromBase64(h.getAsString())));
            Merkle.verifyConsistency(5, 8, five.root(), eight.root(), proof);

            assertThat(server.get("/api/v1/log/checkpoint?size=5", server.auditorToken()).body())
                    .startsWith(five.body());
        }
    }

    @Test
    void proofRequestsAreCheckedAndNeedAnAuditorToken() throws Exception {
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            host.upload(server, host.next());
            checkpointNow(server, key(server));
            assertThat(server.get("/api/v1/log/checkpoint", host.token()).statusCode()).isEqualTo(403);
            HttpResponse<String> unknown = server.get("/api/v1/log/proof/inclusion?host=" + host.hostId()
                    + "&seq=9&size=1", server.auditorToken());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("not in the log");
            HttpResponse<String> tooBig = server.get("/api/v1/log/proof/consistency?from=1&to=99", server.auditorToken());
            assertThat(tooBig.statusCode()).isEqualTo(400);
            assertThat(tooBig.body()).contains("larger than the log");
            assertThat(server.get("/api/v1/log/proof/inclusion?host=x&seq=abc&size=1", server.auditorToken()).body())
                    .contains("not a whole number");
        }
    }

    @Test
    void refusesToStartWhenAStoredNodeWasEdited() throws Exception {
        TestCollector server = TestCollector.start(dir);
        TestHost host = TestHost.enrolledAt(server, "web-1");
        for (int i = 0; i < 6; i++) host.upload(server, host.next());
        checkpointNow(server, key(server));
        server.close();
        sql(server.db(), "UPDATE log_nodes SET hash = X'" + "00".repeat(32) + "' WHERE level = 2 AND idx = 0");
        assertThatThrownBy(server::restart).isInstanceOf(LogIntegrityException.class)
                .hasMessageContaining("the log was edited");
    }

    @Test
    void refusesToStartWhenTheLogWasTruncated() throws Exception {
        TestCollector server = TestCollector.start(dir);
        TestHost host = TestHost.enrolledAt(server, "web-1");
        for (int i = 0; i < 6; i++) host.upload(server, host.next());
        checkpointNow(server, key(server));
        server.close();
        sql(server.db(), "DELETE FROM log_leaves WHERE leaf_index >= 4");
        sql(server.db(), "DELETE FROM log_nodes WHERE idx >= 4 AND level = 0");
        assertThatThrownBy(server::restart).isInstanceOf(LogIntegrityException.class)
                .hasMessageContaining("the log was truncated");
    }

    @Test
    void survivesARestartAndKeepsGrowing() throws Exception {
        TestCollector server = TestCollector.start(dir);
        NoteVerifierKey key = key(server);
        TestHost host = TestHost.enrolledAt(server, "web-1");
        for (int i = 0; i < 3; i++) host.upload(server, host.next());
        Checkpoint three = checkpointNow(server, key);
        try (TestCollector again = server.restart()) {
            assertThat(key(again)).isEqualTo(key);
            again.get("/api/v1/hosts", again.auditorToken());
            for (int i = 0; i < 2; i++) host.upload(again, host.next());
            Checkpoint five = checkpointNow(again, key);
            JsonObject c = JsonParser.parseString(again.get("/api/v1/log/proof/consistency?from=3&to=5",
                    again.auditorToken()).body()).getAsJsonObject();
            List<TreeHash> proof = new ArrayList<>();
            c.getAsJsonArray("hashes").forEach(h -> proof.add(TreeHash.fromBase64(h.getAsString())));
            Merkle.verifyConsistency(3, 5, three.root(), five.root(), proof);
        }
    }

    static void sql(Path db, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
