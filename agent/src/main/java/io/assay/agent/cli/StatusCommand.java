package io.assay.agent.cli;

import io.assay.agent.spool.ProblemFile;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolException;
import io.assay.agent.spool.SpoolStatus;
import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-agent status}: enrollment and spool state, for operators and scripts. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show whether this host is enrolled, its last report, the unacknowledged spool depth,"
                + " the last acknowledgement and error, and how often the agent started. Exits 3 when not enrolled.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/assay", description = "State directory (default: ${DEFAULT-VALUE})")
    Path stateDir;

    @Option(names = "--json", description = "Print JSON instead of text")
    boolean json;

    /** The JSON shape of {@code status --json}; times are epoch ms, 0 when never. */
    record View(boolean enrolled, String stateDir, String hostId, String serverUrl, String keyId,
            long lastReportSeq, long lastReportMs, String lastReportVerdict, long spoolDepth,
            long lastAckSeq, long lastAckMs, String lastError, long lastErrorMs, long restarts, long shedPending,
            String currentProblem, long currentProblemMs, long quarantined, long epochs, long spoolBytes) {}

    @Override
    public Integer call() {
        StateDir state = new StateDir(stateDir);
        Optional<Enrollment> enrollment = state.readEnrollment();
        SpoolStatus s = SpoolStatus.empty();
        // Read first: on a full disk the spool holds no word of the problem (it cannot be written), this file does.
        Optional<ProblemFile.Problem> stateProblem = ProblemFile.read(ProblemFile.besides(state.spoolFile()));
        String unreadable = "";
        if (Files.exists(state.spoolFile())) {
            try {
                s = Spool.peekStatus(state.spoolFile(), Clock.systemUTC());
            } catch (SpoolException e) {
                unreadable = e.getMessage();
            }
        }
        String problem = stateProblem.map(ProblemFile.Problem::text).orElse(s.currentProblem().orElse(unreadable));
        long problemMs = stateProblem.map(ProblemFile.Problem::sinceMs).orElse(problem.isEmpty() ? 0 : s.lastErrorMs());
        View v = new View(enrollment.isPresent(), state.root().toString(),
                enrollment.map(Enrollment::hostId).orElse(""), enrollment.map(Enrollment::serverUrl).orElse(""),
                enrollment.map(Enrollment::keyId).orElse(""), s.lastReportSeq(), s.lastReportMs(), s.lastReportVerdict(),
                s.depth(), s.lastAckSeq(), s.lastAckMs(), s.lastError(), s.lastErrorMs(), Math.max(0, s.starts() - 1),
                s.shedPending(), problem, problemMs, s.quarantined(), s.epochs(), s.bytes());
        if (json) {
            System.out.println(Json.toPrettyJson(v));
        } else if (!v.enrolled()) {
            System.out.println("not enrolled (no " + state.enrollmentFile() + "); enroll with: assay-agent enroll --server URL --token TOKEN");
        } else {
            System.out.println("enrolled:      yes, host " + v.hostId() + " (key " + v.keyId() + ")");
            System.out.println("collector:     " + v.serverUrl());
            System.out.println("last report:   " + (v.lastReportSeq() == 0 ? "none yet"
                    : "seq " + v.lastReportSeq() + " at " + time(v.lastReportMs()) + ", " + v.lastReportVerdict()));
            System.out.println("spool depth:   " + v.spoolDepth() + " unacknowledged"
                    + (v.shedPending() > 0 ? " (" + v.shedPending() + " windows shed, gap report pending)" : ""));
            System.out.println("last ack:      " + (v.lastAckSeq() == 0 ? "none yet" : "seq " + v.lastAckSeq() + " at " + time(v.lastAckMs())));
            // The problem now, if any; an error the collector's later acknowledgements healed is history.
            System.out.println("problem now:   " + (v.currentProblem().isEmpty() ? "none"
                    : v.currentProblem() + " (since " + time(v.currentProblemMs()) + ")"));
            if (stateProblem.isPresent() && s.currentProblem().isPresent()) {
                System.out.println("and:           " + s.currentProblem().get() + " (since " + time(s.lastErrorMs()) + ")");
            }
            if (!v.lastError().isEmpty() && s.currentProblem().isEmpty()) {
                System.out.println("last error:    " + v.lastError() + " at " + time(v.lastErrorMs()) + " (healed since)");
            }
            if (v.quarantined() > 0) {
                System.out.println("quarantined:   " + v.quarantined() + " unreadable report(s) kept in the spool's quarantine"
                        + " table; the chain records each as a signed gap");
            }
            if (v.epochs() > 0) System.out.println("chain epochs:  " + v.epochs() + " (continued from the collector's chain end)");
            System.out.println("restarts:      " + v.restarts());
        }
        return v.enrolled() ? ExitCodes.OK : ExitCodes.NOT_ENROLLED;
    }

    private static String time(long ms) {
        return ms == 0 ? "never" : Instant.ofEpochMilli(ms).toString();
    }
}
