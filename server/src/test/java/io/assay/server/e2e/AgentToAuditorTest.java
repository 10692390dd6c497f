package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.store.Role;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on the embedded default: a real collector on loopback with a SQLite file, the real
 * agent jar enrolled against it and running with 1 s samples and 3 s windows, and the auditor API
 * reading what arrived. Then the collector goes away, the agent spools, the collector comes back on
 * the same port and database, and every report arrives once, the chain intact.
 */
@Tag("slow")
class AgentToAuditorTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir Path tmp;

    @Test
    void reportsArriveChainedAndSurviveACollectorOutage() throws Exception {
        Path db = tmp.resolve("assay.db");
        Path state = tmp.resolve("agent-state");
        Collector collector = start(db, 0);
        int port = collector.url().getPort();
        URI url = collector.url();
        AuditorClient auditor = new AuditorClient(url, collector.issueToken(Role.AUDITOR, "e2e auditor"));
        String enroll = collector.issueToken(Role.ENROLL, "e2e enroll");
        try {
            String hostId = AgentProcess.enroll(tmp, url, enroll, state);

            Path config = java.nio.file.Files.writeString(tmp.resolve("agent.conf"), String.join("\n",
                    "# e2e: 1 s samples, 3 s windows, quick retries",
                    "server.url = " + url,
                    "state.dir = " + state,
                    "sample.interval = 1s",
                    "report.window = 3s",
                    "ship.backoff.min = 200ms",
                    "ship.backoff.max = 1s",
                    ""));
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                // At least two reports, consecutive and linked, readable by the auditor.
                awaitTrue("two reports at the collector", agent, () -> auditor.reports(hostId, 0).size() >= 2);
                List<JsonObject> first = auditor.reports(hostId, 0);
                assertThat(first.get(0).get("seq").getAsLong()).isEqualTo(1);
                assertThat(first.get(1).get("seq").getAsLong()).isEqualTo(2);
                JsonObject second = auditor.report(hostId, 2);
                assertThat(second.getAsJsonObject("payload").get("prev").getAsString())
                        .isEqualTo(first.get(0).get("payloadHash").getAsString());
                assertThat(second.getAsJsonObject("verification").get("signature").getAsString()).isEqualTo("valid");
                assertThat(second.getAsJsonObject("verification").get("chain").getAsString()).isEqualTo("linked");

                // Collector down: the agent keeps writing windows into its spool.
                collector.close();
                long spooledBefore = AgentProcess.status(tmp, state).get("spoolDepth").getAsLong();
                awaitTrue("the agent spools while the collector is down", agent,
                        () -> statusLong(state, "spoolDepth") >= spooledBefore + 2);
                assertThat(agent.isAlive()).as("the agent survives the outage:\n%s", agent.log()).isTrue();

                // Collector back on the same port and database: the spool drains.
                collector = start(db, port);
                awaitTrue("the spool drains after the collector returns", agent,
                        () -> statusLong(state, "spoolDepth") == 0 && statusLong(state, "lastReportSeq") >= 4);
                assertThat(agent.stop()).as(agent.log()).isIn(0, 143);
            }

            // The agent may have written a window or two after the drain and stopped before shipping
            // them, and a clean stop writes a signed STOP report last: those are still in its spool,
            // so nothing is lost.
            long lastWritten = statusLong(state, "lastReportSeq");
            long stillSpooled = statusLong(state, "spoolDepth");
            List<JsonObject> all = auditor.reports(hostId, 0);
            List<Long> seqs = all.stream().map(r -> r.get("seq").getAsLong()).toList();
            List<Long> expected = new ArrayList<>();
            for (long s = 1; s <= lastWritten - stillSpooled; s++) expected.add(s);
            assertThat(seqs).as("every report arrived, none twice (%d still spooled)", stillSpooled)
                    .isEqualTo(expected);
            assertThat(stillSpooled).isLessThanOrEqualTo(3);
            String prevHash = "";
            for (JsonObject row : all) {
                long seq = row.get("seq").getAsLong();
                JsonObject full = auditor.report(hostId, seq);
                assertThat(full.getAsJsonObject("payload").get("prev").getAsString()).as("prev of seq %d", seq)
                        .isEqualTo(prevHash);
                assertThat(full.getAsJsonObject("verification").get("signature").getAsString()).isEqualTo("valid");
                prevHash = row.get("payloadHash").getAsString();
            }
        } finally {
            collector.close();
        }
    }

    private static Collector start(Path db, int port) throws Exception {
        return Collector.start(ServerConfig.builder().listen(new InetSocketAddress("127.0.0.1", port)).db(db)
                .shutdownGrace(Duration.ofSeconds(2)).build(), Clock.systemUTC());
    }

    private long statusLong(Path state, String field) {
        try {
            JsonElement e = AgentProcess.status(tmp, state).get(field);
            return e == null || e.isJsonNull() ? -1 : e.getAsLong();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    private static void awaitTrue(String what, AgentProcess agent, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            if (!agent.isAlive()) throw new AssertionError("agent exited while waiting for " + what + ":\n" + agent.log());
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what + "; agent log:\n" + agent.log());
    }

}
