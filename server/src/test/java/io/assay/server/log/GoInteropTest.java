package io.assay.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's own {@code golang.org/x/mod/sumdb/note} and {@code sumdb/tlog} (Debian's
 * golang-golang-x-mod-dev, GOPATH mode, offline) verify a live collector's checkpoint signatures,
 * a consistency proof between two of its checkpoints and an inclusion proof of a stored envelope.
 * Skipped, saying so, only where {@code go} is not installed; CI installs it.
 */
@Tag("slow")
class GoInteropTest {
    private static final Path GOPATH = Path.of("/usr/share/gocode");

    @TempDir
    Path dir;

    private static boolean goInstalled() {
        try {
            Process p = new ProcessBuilder("go", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0
                    && Files.isDirectory(GOPATH.resolve("src/golang.org/x/mod/sumdb/note"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record Run(int exit, String output) {}

    private Run run(Path workDir, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("GO111MODULE", "off");
        pb.environment().put("GOPATH", GOPATH.toString());
        pb.environment().put("GOCACHE", workDir.resolve("gocache").toString());
        pb.environment().put("GOFLAGS", "");
        pb.environment().put("GOPROXY", "off");
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String hashes(JsonObject o, String field) {
        StringBuilder sb = new StringBuilder();
        o.getAsJsonArray(field).forEach(h -> sb.append(h.getAsString()).append('\n'));
        return sb.toString();
    }

    @Test
    void goVerifiesCheckpointsConsistencyAndInclusion() throws Exception {
        Assumptions.assumeTrue(goInstalled(), "go is not installed here (apt-get install golang-go"
                + " golang-golang-x-mod-dev; .ci/run installs both), so Go interop is not checked on this machine");
        Path work = Files.createDirectory(dir.resolve("go"));
        try (InputStream src = GoInteropTest.class.getResourceAsStream("/interop/checkpoints.go")) {
            Files.write(work.resolve("checkpoints.go"), src.readAllBytes());
        }
        Run build = run(work, List.of("go", "build", "-o", "checkpoints", "checkpoints.go"));
        assertThat(build.exit()).as(build.output()).isZero();

        try (TestCollector server = TestCollector.start(dir, new FakeClock(TestHost.T0.minus(Duration.ofHours(1))))) {
            TestHost host = TestHost.enrolledAt(server, "web-1");
            for (int i = 0; i < 3; i++) host.upload(server, host.next());
            Files.writeString(work.resolve("old.txt"), server.post("/api/v1/log/checkpoint", server.adminToken(), "").body());
            for (int i = 0; i < 4; i++) host.upload(server, host.next());
            String current = server.post("/api/v1/log/checkpoint", server.adminToken(), "").body();
            Files.writeString(work.resolve("new.txt"), current);
            String vkey = server.get("/api/v1/log/key", server.auditorToken()).body().strip();
            JsonObject consistency = JsonParser.parseString(server.get("/api/v1/log/proof/consistency?from=3&to=7",
                    server.auditorToken()).body()).getAsJsonObject();
            Files.writeString(work.resolve("consistency.txt"), hashes(consistency, "hashes"));
            JsonObject inclusion = JsonParser.parseString(server.get("/api/v1/log/proof/inclusion?host=" + host.hostId()
                    + "&seq=5&size=7", server.auditorToken()).body()).getAsJsonObject();
            Files.writeString(work.resolve("inclusion.txt"), hashes(inclusion, "hashes"));
            String envelope = server.collector().store().read(tx -> tx.findReport(host.hostId(), 5)).orElseThrow()
                    .envelopeJson();
            Files.writeString(work.resolve("leaf.bin"), envelope);
            List<String> args = new ArrayList<>(List.of("./checkpoints", vkey, "old.txt", "new.txt", "consistency.txt",
                    "leaf.bin", inclusion.get("index").getAsString(), "inclusion.txt"));

            Run ok = run(work, args);
            assertThat(ok.exit()).as(ok.output()).isZero();
            assertThat(ok.output()).contains("checkpoints 3 and 7 verify, consistent; leaf");

            Files.writeString(work.resolve("new.txt"), current.replaceFirst("\n7\n", "\n8\n"));
            Run tampered = run(work, args);
            assertThat(tampered.exit()).as(tampered.output()).isEqualTo(1);
            assertThat(tampered.output()).contains("note signature");
        }
    }
}
