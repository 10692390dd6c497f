package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.store.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast path, end to end: with 60 s report windows, a miner-like process started on the host must
 * reach the collector as a {@code MINING} report naming it well before the window would have closed.
 */
@Tag("slow")
class MiningFastPathTest {
    private static final Path MINER_SOURCE = Path.of("../agent/src/test/resources/miner/miner.c").toAbsolutePath();
    private static final Duration WINDOW = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir Path tmp;

    @Test
    void aMinerStartedMidWindowIsAtTheCollectorAsMiningBeforeTheWindowEnds() throws Exception {
        Path miner = compileMiner();
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0)).db(tmp.resolve("assay.db")).build(), Clock.systemUTC());
                ServerSocket pool = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI url = collector.url();
            String auditor = collector.issueToken(Role.AUDITOR, "fast path");
            AgentProcess.Result enrolled = AgentProcess.runToEnd(tmp, "enroll", "--server", url.toString(), "--token",
                    collector.issueToken(Role.ENROLL, "fast path"), "--state-dir", state.toString());
            assertThat(enrolled.exit()).as(enrolled.output()).isZero();
            String hostId = AgentProcess.status(tmp, state).get("hostId").getAsString();
            Thread poolThread = acceptForever(pool);
            Path config = Files.writeString(tmp.resolve("agent.conf"), String.join("\n",
                    "server.url = " + url, "state.dir = " + state, "sample.interval = 1s",
                    "report.window = " + WINDOW.toSeconds() + "s", ""));

            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                Thread.sleep(3_000); // let the agent take its first samples of the clean host
                long started = System.nanoTime();
                Process p = new ProcessBuilder(miner.toString(), "-o", "127.0.0.1:" + pool.getLocalPort(),
                        "-u", "worker1", "--threads", "1", "--throttle")
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("miner.log").toFile()).start();
                try {
                    Optional<JsonObject> mining = Optional.empty();
                    long deadline = started + WINDOW.minusSeconds(15).toNanos();
                    while (mining.isEmpty() && System.nanoTime() < deadline) {
                        assertThat(agent.isAlive()).as("agent alive:\n%s", agent.log()).isTrue();
                        mining = miningReport(url, auditor, hostId);
                        if (mining.isEmpty()) Thread.sleep(200);
                    }
                    double seconds = (System.nanoTime() - started) / 1e9;
                    assertThat(mining).as("a MINING report at the collector within %s of the miner's start; agent log:\n%s",
                            WINDOW.minusSeconds(15), agent.log()).isPresent();
                    System.out.printf("miner start -> MINING stored at the collector: %.1f s%n", seconds);

                    JsonObject payload = mining.get().getAsJsonObject("payload");
                    assertThat(payload.get("windowEndMs").getAsLong() - payload.get("windowStartMs").getAsLong())
                            .as("the window was closed early").isLessThan(WINDOW.toMillis());
                    boolean namesMiner = false;
                    for (JsonElement f : payload.getAsJsonArray("findings")) {
                        JsonObject finding = f.getAsJsonObject();
                        if (finding.get("kind").getAsString().equals("SIGNATURE")
                                && finding.get("pid").getAsLong() == p.pid()) namesMiner = true;
                    }
                    assertThat(namesMiner).as("a signature finding names pid %d: %s", p.pid(), payload).isTrue();
                } finally {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } finally {
                poolThread.interrupt();
            }
        }
    }

    private Path compileMiner() throws IOException, InterruptedException {
        Path out = tmp.resolve("worker");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O1", "-pthread", "-o", out.toString(), MINER_SOURCE.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: the miner-like program cannot be built");
            throw e;
        }
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0).as(log).isTrue();
        return out;
    }

    /** A pool that accepts logins and never answers: enough for the miner to connect and log in. */
    private static Thread acceptForever(ServerSocket pool) {
        Thread t = new Thread(() -> {
            while (!pool.isClosed()) {
                try (Socket s = pool.accept()) {
                    s.setSoTimeout(120_000);
                    s.getInputStream().read(new byte[4096]);
                } catch (IOException e) {
                    return;
                }
            }
        }, "fake-pool");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Optional<JsonObject> miningReport(URI url, String token, String hostId) throws Exception {
        JsonObject page = get(url, token, "/api/v1/hosts/" + hostId + "/reports?limit=1000");
        for (JsonElement e : page.getAsJsonArray("reports")) {
            JsonObject row = e.getAsJsonObject();
            if (row.get("verdict").getAsString().equals("MINING")) {
                return Optional.of(get(url, token, "/api/v1/reports/" + hostId + "/" + row.get("seq").getAsLong()));
            }
        }
        return Optional.empty();
    }

    private JsonObject get(URI url, String token, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve(path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }
}
