package io.assay.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.config.AgentConfig;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolStatus;
import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Ed25519Signer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole agent on this host with a collector that is down: reports pile up in the spool. */
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
            while (!(status(state).depth() >= 2 && !status(state).lastError().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        try (Spool spool = Spool.open(state.spoolFile(), Clock.systemUTC(), 100)) {
            SpoolStatus s = spool.status();
            assertThat(s.depth()).isGreaterThanOrEqualTo(2);
            assertThat(s.starts()).isEqualTo(1);
            assertThat(s.lastError()).startsWith("network:");
            // The verdict is the real detector's view of this shared host (other tests run miners), so any is fine.
            assertThat(s.lastReportVerdict()).isIn("CLEAN", "SUSPECT", "MINING", "DEGRADED");
        }
        AgentDaemon.start(config, tmp, Clock.systemUTC()).close();
        try (Spool spool = Spool.open(state.spoolFile(), Clock.systemUTC(), 100)) {
            assertThat(spool.status().starts()).isEqualTo(2);
        }
    }

    private static SpoolStatus status(StateDir state) {
        try (Spool spool = Spool.open(state.spoolFile(), Clock.systemUTC(), 100)) {
            return spool.status();
        }
    }
}
