package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.alerts.AlertDispatcher;
import io.assay.server.alerts.RecordingWebhook;
import io.assay.server.store.Role;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A miner started under a real agent reaches a loopback webhook as a signed {@code mining} alert
 * within seconds, and again after the receiver failed the first delivery.
 */
@Tag("slow")
class MiningAlertTest {
    @TempDir Path tmp;

    @Test
    void aMinerUnderARealAgentIsAlertedToASignedWebhookAndRetried() throws Exception {
        Path miner = MinerKit.compile(tmp, "worker", false);
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0)).db(tmp.resolve("assay.db")).build(), Clock.systemUTC());
                ServerSocket pool = MinerKit.startPool();
                RecordingWebhook hook = new RecordingWebhook(1)) {
            URI url = collector.url();
            HttpResponse<String> added = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve("/api/v1/webhooks"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + collector.issueToken(Role.ADMIN, "alerts e2e"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + hook.url() + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            String secret = JsonParser.parseString(added.body()).getAsJsonObject().get("secret").getAsString();
            String hostId = AgentProcess.enroll(tmp, url, collector.issueToken(Role.ENROLL, "alerts e2e"), state);
            Path config = Files.writeString(tmp.resolve("agent.conf"), String.join("\n",
                    "server.url = " + url, "state.dir = " + state, "sample.interval = 1s", "report.window = 60s", ""));

            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                Thread.sleep(3_000); // let the agent take its first samples of the clean host
                long started = System.nanoTime();
                Process p = new ProcessBuilder(miner.toString(), "-o", "127.0.0.1:" + pool.getLocalPort(),
                        "-u", "worker1", "--threads", "1", "--throttle")
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("miner.log").toFile()).start();
                try {
                    List<RecordingWebhook.Received> got = hook.awaitUntil(
                            r -> r.stream().anyMatch(x -> x.answered() == 204), Duration.ofSeconds(50));
                    System.out.printf("miner start -> signed alert delivered (after one failed delivery): %.1f s%n",
                            (System.nanoTime() - started) / 1e9);
                    assertThat(got.get(0).answered()).isEqualTo(500);
                    RecordingWebhook.Received ok = got.stream().filter(x -> x.answered() == 204).findFirst().orElseThrow();
                    assertThat(ok.alertId()).isEqualTo(got.get(0).alertId());
                    assertThat(ok.signature()).isEqualTo("sha256=" + AlertDispatcher.sign(secret,
                            ok.body().getBytes(StandardCharsets.UTF_8)));
                    JsonObject alert = JsonParser.parseString(ok.body()).getAsJsonObject();
                    assertThat(alert.get("kind").getAsString()).isEqualTo("mining");
                    assertThat(alert.get("host").getAsString()).isEqualTo(hostId);
                    assertThat(agent.isAlive()).as("agent alive:\n%s", agent.log()).isTrue();
                } finally {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
