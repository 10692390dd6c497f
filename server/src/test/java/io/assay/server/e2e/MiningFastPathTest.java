package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.store.Role;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
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
    private static final Duration WINDOW = Duration.ofSeconds(60);

    @TempDir Path tmp;

    @Test
    void aMinerStartedMidWindowIsAtTheCollectorAsMiningBeforeTheWindowEnds() throws Exception {
        Path miner = MinerKit.compile(tmp, "worker", false);
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0)).db(tmp.resolve("assay.db")).build(), Clock.systemUTC());
                ServerSocket pool = MinerKit.startPool()) {
            URI url = collector.url();
            AuditorClient auditor = new AuditorClient(url, collector.issueToken(Role.AUDITOR, "fast path"));
            String hostId = AgentProcess.enroll(tmp, url, collector.issueToken(Role.ENROLL, "fast path"), state);
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
                        mining = miningReport(auditor, hostId);
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
            }
        }
    }

    private static Optional<JsonObject> miningReport(AuditorClient auditor, String hostId) {
        for (JsonObject row : auditor.reports(hostId, 0)) {
            if (row.get("verdict").getAsString().equals("MINING")) {
                return Optional.of(auditor.report(hostId, row.get("seq").getAsLong()));
            }
        }
        return Optional.empty();
    }
}
