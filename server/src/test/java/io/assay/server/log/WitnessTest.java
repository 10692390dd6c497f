package io.assay.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Cosignature;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.protocol.log.SignedNote;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import io.assay.verify.VerifyMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A collector submitting to a real witness on loopback, and the witness refusing forks and shrinks. */
class WitnessTest {
    private static final String ORIGIN = "test.assay/log";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    private NoteSigner witnessKey() {
        return new NoteSigner("test.witness/w1", NoteVerifierKey.COSIGNATURE_V1, Ed25519Signer.generate(new SecureRandom()));
    }

    private HttpResponse<String> post(URI witness, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(witness.resolve("/add-checkpoint")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Checkpoint checkpointOf(String note) {
        return Checkpoint.parseBody(SignedNote.parse(note).text());
    }

    @Test
    void collectorGetsEachCheckpointCosignedAndAuditorsCanRequireIt() throws Exception {
        NoteSigner logKey = LogKeyFile.loadOrCreate(dir.resolve("log.key"), ORIGIN, NoteVerifierKey.ED25519);
        NoteSigner wKey = witnessKey();
        Path state = Files.createDirectory(dir.resolve("witness-state"));
        try (WitnessServer witness = WitnessServer.start(new InetSocketAddress("127.0.0.1", 0), wKey,
                List.of(logKey.verifierKey()), state, Clock.systemUTC());
                TestCollector server = TestCollector.start(dir, new FakeClock(TestHost.T0.minus(Duration.ofHours(1))), b -> b.log(LogConfig.defaults()
                        .withKeyFile(dir.resolve("log.key"))
                        .withWitnesses(List.of(new LogConfig.Witness(witness.url(), wKey.verifierKey())))))) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            for (int i = 0; i < 3; i++) host.upload(server, host.next());
            String three = server.post("/api/v1/log/checkpoint", server.adminToken(), "").body();
            assertThat(checkpointOf(three).size()).isEqualTo(3);
            SignedNote.Signature cosig = SignedNote.parse(three).signaturesBy(wKey.verifierKey()).get(0);
            Cosignature.verify(wKey.verifierKey(), cosig, checkpointOf(three));

            for (int i = 0; i < 2; i++) host.upload(server, host.next());
            String five = server.post("/api/v1/log/checkpoint", server.adminToken(), "").body();
            assertThat(checkpointOf(five).size()).isEqualTo(5);
            assertThat(SignedNote.parse(five).signaturesBy(wKey.verifierKey())).hasSize(1);
            assertThat(server.get("/api/v1/log/checkpoint", server.auditorToken()).body()).isEqualTo(five);

            Path bundle = dir.resolve("bundle.json");
            Files.writeString(bundle, server.get("/api/v1/hosts/" + host.hostId() + "/evidence?from="
                    + TestHost.T0 + "&to=" + TestHost.T0.plusSeconds(300), server.auditorToken()).body());
            assertThat(verify(bundle, "--witness-key", wKey.verifierKey().encode())).isEqualTo(VerifyMain.VALID);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = VerifyMain.run(new String[] {bundle.toString(), "--log-key", logKey.verifierKey().encode(),
                "--witness-key", witnessKey().verifierKey().encode()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(exit).isEqualTo(VerifyMain.INVALID);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("witnesses: 0 of the 1 required witness cosignatures");
        }
    }

    private int verify(Path bundle, String... extra) {
        String[] args = new String[extra.length + 1];
        args[0] = bundle.toString();
        System.arraycopy(extra, 0, args, 1, extra.length);
        return VerifyMain.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void refusesAForkedOrShrunkLogAlsoAfterARestart() throws Exception {
        NoteSigner logKey = new NoteSigner(ORIGIN, NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
        NoteSigner wKey = witnessKey();
        Path state = Files.createDirectory(dir.resolve("witness-state"));
        Checkpoint five = new Checkpoint(ORIGIN, 5, Merkle.leafHash(new byte[] {5}));
        Checkpoint forkedFive = new Checkpoint(ORIGIN, 5, Merkle.leafHash(new byte[] {6}));
        WitnessServer witness = WitnessServer.start(new InetSocketAddress("127.0.0.1", 0), wKey,
                List.of(logKey.verifierKey()), state, Clock.systemUTC());
        try {
            HttpResponse<String> first = post(witness.url(), "old 0\n\n" + five.sign(logKey).encode());
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            Cosignature.verify(wKey.verifierKey(), SignedNote.Signature.parseLine(first.body()), five);

            assertForkAndShrinkRefused(witness.url(), logKey, five, forkedFive);
        } finally {
            witness.close();
        }
        try (WitnessServer again = WitnessServer.start(new InetSocketAddress("127.0.0.1", 0), wKey,
                List.of(logKey.verifierKey()), state, Clock.systemUTC())) {
            assertForkAndShrinkRefused(again.url(), logKey, five, forkedFive);
            NoteSigner stranger = new NoteSigner(ORIGIN, NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
            assertThat(post(again.url(), "old 5\n\n" + forkedFive.sign(stranger).encode()).statusCode()).isEqualTo(403);
            NoteSigner otherLog = new NoteSigner("other/log", NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
            assertThat(post(again.url(), "old 0\n\n" + new Checkpoint("other/log", 1, five.root()).sign(otherLog).encode())
                    .statusCode()).isEqualTo(404);
        }
    }

    private void assertForkAndShrinkRefused(URI witness, NoteSigner logKey, Checkpoint held, Checkpoint fork)
            throws Exception {
        HttpResponse<String> forked = post(witness, "old 5\n\n" + fork.sign(logKey).encode());
        assertThat(forked.statusCode()).as("same size, other root").isEqualTo(409);
        assertThat(forked.body()).as("answers with the checkpoint it holds").startsWith(held.body());

        HttpResponse<String> shrunk = post(witness, "old 5\n\n" + new Checkpoint(ORIGIN, 4, fork.root()).sign(logKey).encode());
        assertThat(shrunk.statusCode()).as("a smaller tree").isEqualTo(400);

        HttpResponse<String> stale = post(witness, "old 0\n\n" + new Checkpoint(ORIGIN, 6, fork.root()).sign(logKey).encode());
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.headers().firstValue("Content-Type")).hasValue("text/x.tlog.size");
        assertThat(stale.body()).isEqualTo("5\n");

        HttpResponse<String> inconsistent = post(witness, "old 5\n" + fork.root().base64() + "\n\n"
                + new Checkpoint(ORIGIN, 7, fork.root()).sign(logKey).encode());
        assertThat(inconsistent.statusCode()).as("a proof that does not verify").isEqualTo(422);
        assertThat(inconsistent.body()).contains("not consistent");
    }
}
