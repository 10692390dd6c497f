package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec events, end to end: the real agent with a sample interval of a minute still has a miner at the
 * collector as {@code MINING} seconds after the miner's start, long before its first sample; and
 * where the kernel does not serve exec events, the agent samples and its reports say so.
 */
@Tag("slow")
class ExecEventsEndToEndTest {
    @TempDir Path tmp;

    @Test
    void withAMinuteBetweenSamplesAMinerIsMiningAtTheCollectorSecondsAfterItsStart() throws Exception {
        Path withStrings = MinerKit.compile(tmp, "worker", false);
        Path plain = MinerKit.compile(tmp, "helper", true);
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0)).db(tmp.resolve("assay.db")).build(), Clock.systemUTC());
                ServerSocket pool = MinerKit.startPool()) {
            URI url = collector.url();
            AuditorClient auditor = new AuditorClient(url, collector.issueToken(Role.AUDITOR, "exec events"));
            String hostId = AgentProcess.enroll(tmp, url, collector.issueToken(Role.ENROLL, "exec events"), state);
            Path config = Files.writeString(tmp.resolve("agent.conf"), String.join("\n",
                    "server.url = " + url, "state.dir = " + state, "sample.interval = 60s", "report.window = 60s", ""));
            Files.writeString(tmp.resolve("config.json"), "{\"pools\": [{\"url\": \"127.0.0.1:" + pool.getLocalPort()
                    + "\", \"user\": \"" + "4" + "A".repeat(94) + "\", \"pass\": \"x\"}], \"donate-level\": 1}\n");

            long agentStarted = System.nanoTime();
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                awaitLog(agent, "exec events on");
                List<List<String>> miners = List.of(
                        List.of(withStrings.toString(), "-o", "127.0.0.1:" + pool.getLocalPort(), "-u", "w1", "--threads", "1"),
                        List.of(plain.toString(), "--throttle")); // pool and wallet from config.json, no miner strings
                for (List<String> command : miners) {
                    long after = auditor.lastSeq(hostId);
                    long started = System.nanoTime();
                    Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    try {
                        Optional<JsonObject> mining = Optional.empty();
                        while (mining.isEmpty() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30)) {
                            assertThat(agent.isAlive()).as("agent alive:\n%s", agent.log()).isTrue();
                            mining = miningNaming(auditor, hostId, after, p.pid());
                            if (mining.isEmpty()) Thread.sleep(100);
                        }
                        double seconds = (System.nanoTime() - started) / 1e9;
                        assertThat(mining).as("MINING naming pid %d within 30 s; agent log:\n%s", p.pid(), agent.log()).isPresent();
                        System.out.printf("%s: start -> MINING stored at the collector: %.1f s%n", command.get(0), seconds);
                        // The first sample is a minute after the agent's start: only the exec look can have seen it.
                        assertThat(System.nanoTime() - agentStarted).as("found before the agent's first sample")
                                .isLessThan(TimeUnit.SECONDS.toNanos(60));
                        assertThat(notes(mining.get())).noneMatch(n -> n.startsWith("exec events"));
                    } finally {
                        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    @Test
    void whereTheKernelDoesNotServeExecEventsTheAgentSamplesAndItsReportsSaySo() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare (util-linux) is not installed");
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).db(tmp.resolve("assay.db")).build(), Clock.systemUTC())) {
            URI url = collector.url();
            AuditorClient auditor = new AuditorClient(url, collector.issueToken(Role.AUDITOR, "exec events"));
            String hostId = AgentProcess.enroll(tmp, url, collector.issueToken(Role.ENROLL, "exec events"), state);
            Path config = Files.writeString(tmp.resolve("agent.conf"), String.join("\n",
                    "server.url = " + url, "state.dir = " + state, "sample.interval = 1s", "report.window = 2s", ""));
            // In a user namespace of its own the kernel does not acknowledge the subscription (the
            // namespace's pids are not the kernel's); the network, /proc and the state dir stay the host's.
            try (AgentProcess agent = AgentProcess.startWrapped(tmp.resolve("agent.log"),
                    List.of("/usr/bin/unshare", "--user", "--map-root-user"), "--config", config.toString())) {
                Optional<List<String>> found = Optional.empty();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                while (found.isEmpty() && System.nanoTime() < deadline) {
                    assumeTrue(!agent.log().contains("unshare:"), "unshare cannot create a user namespace here: " + agent.log());
                    assertThat(agent.isAlive()).as("agent alive:\n%s", agent.log()).isTrue();
                    for (JsonObject row : auditor.reports(hostId, 0)) {
                        JsonObject report = auditor.report(hostId, row.get("seq").getAsLong());
                        if (report.getAsJsonObject("payload").has("notes")) {
                            List<String> n = notes(report);
                            if (n.stream().anyMatch(s -> s.startsWith("exec events"))) found = Optional.of(n);
                        }
                    }
                    if (found.isEmpty()) Thread.sleep(250);
                }
                assertThat(found).as("a report noting exec events; agent log:\n%s", agent.log()).isPresent();
                assertThat(found.get()).contains("exec events unavailable: the kernel did not acknowledge the process-events"
                        + " subscription within 1000 ms (the agent runs in a container or in another pid or user namespace);"
                        + " sampling only");
                assertThat(agent.log()).contains("exec events unavailable");
            }
        }
    }

    private static void awaitLog(AgentProcess agent, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!agent.log().contains(text) && System.nanoTime() < deadline) {
            assertThat(agent.isAlive()).as("agent alive:\n%s", agent.log()).isTrue();
            Thread.sleep(100);
        }
        assertThat(agent.log()).as("the agent's log").contains(text);
    }

    private static Optional<JsonObject> miningNaming(AuditorClient auditor, String hostId, long after, long pid) {
        for (JsonObject row : auditor.reports(hostId, after)) {
            if (!row.get("verdict").getAsString().equals("MINING")) continue;
            JsonObject report = auditor.report(hostId, row.get("seq").getAsLong());
            for (JsonElement f : report.getAsJsonObject("payload").getAsJsonArray("findings")) {
                JsonObject finding = f.getAsJsonObject();
                if (finding.get("pid").getAsLong() == pid && finding.get("kind").getAsString().equals("SIGNATURE")) {
                    return Optional.of(report);
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> notes(JsonObject report) {
        List<String> out = new ArrayList<>();
        JsonObject payload = report.getAsJsonObject("payload");
        if (payload.has("notes")) for (JsonElement n : payload.getAsJsonArray("notes")) out.add(n.getAsString());
        return out;
    }
}
