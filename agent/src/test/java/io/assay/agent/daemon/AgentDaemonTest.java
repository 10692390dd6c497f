package io.assay.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.config.AgentConfig;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolEntry;
import io.assay.agent.spool.SpoolStatus;
import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Report;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent on this host with a collector that is down: reports pile up in the spool, and
 * each run is bracketed by signed START and STOP reports.
 */
@Tag("slow")
class AgentDaemonTest {
    @TempDir
    Path tmp;

    @Test
    void spoolsReportsWhileTheCollectorIsDownAndCountsStarts() throws Exception {
        int dead;
        try (ServerSocket ss = new ServerSocket(0)) {
            dead = ss.getLocalPort();
        }
        StateDir state = new StateDir(tmp.resolve("state"));
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment("host-1", "http://127.0.0.1:" + dead, "tok", key.publicKey().keyId()));
        AgentConfig config = AgentConfig.parse(List.of(), "test", Map.of(
                "state.dir", state.root().toString(), "sample.interval", "1s", "report.window", "1s",
                "ship.backoff.min", "100ms", "ship.backoff.max", "1s", "ship.timeout", "2s"));

        try (AgentDaemon daemon = AgentDaemon.start(config, tmp, Clock.systemUTC())) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            // The ship job runs every 5s; wait for reports and for its first failed attempt.
            while (!(status(state).depth() >= 3 && !status(state).lastError().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        List<Report> firstRun;
        try (Spool spool = Spool.open(state.spoolFile(), Clock.systemUTC(), 100)) {
            SpoolStatus s = spool.status();
            assertThat(s.depth()).isGreaterThanOrEqualTo(3);
            assertThat(s.starts()).isEqualTo(1);
            assertThat(s.lastError()).startsWith("network:");
            assertThat(s.currentProblem()).as("nothing was ever acknowledged: the error is current").isPresent();
            firstRun = reports(spool, key);
        }
        assertThat(kind(firstRun.get(0))).isEqualTo("start");
        assertThat(kind(firstRun.get(firstRun.size() - 1))).isEqualTo("stop");
        List<Report> windows = firstRun.subList(1, firstRun.size() - 1);
        assertThat(windows).isNotEmpty().allSatisfy(r -> {
            assertThat(r.events()).isEmpty();
            assertThat(r.load().samples()).as("a window report carries this host's samples").isPositive();
            assertThat(r.topProcesses()).isNotEmpty();
        });
        assertThat(firstRun.get(firstRun.size() - 1).windowStartMs()).as("the stop covers the window left open")
                .isEqualTo(windows.get(windows.size() - 1).windowEndMs());

        AgentDaemon.start(config, tmp, Clock.systemUTC()).close();
        try (Spool spool = Spool.open(state.spoolFile(), Clock.systemUTC(), 100)) {
            assertThat(spool.status().starts()).isEqualTo(2);
            List<Report> all = reports(spool, key);
            assertThat(all.subList(firstRun.size(), all.size())).extracting(AgentDaemonTest::kind)
                    .as("a clean stop, so no crash report").containsExactly("start", "stop");
        }
    }

    private static List<Report> reports(Spool spool, Ed25519Signer key) throws Exception {
        List<Report> out = new java.util.ArrayList<>();
        for (SpoolEntry e : spool.pending(10_000)) out.add(Envelopes.open(e.envelope(), key.publicKey()).report());
        return out;
    }

    private static String kind(Report r) {
        return r.events().isEmpty() ? "window" : r.events().get(0).kind().wireName();
    }

    private static SpoolStatus status(StateDir state) {
        try (Spool spool = Spool.open(state.spoolFile(), Clock.systemUTC(), 100)) {
            return spool.status();
        }
    }
}
