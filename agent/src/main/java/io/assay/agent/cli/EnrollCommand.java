package io.assay.agent.cli;

import io.assay.agent.enroll.Enroller;
import io.assay.agent.enroll.HostIdentityProbe;
import io.assay.agent.report.AgentInfo;
import io.assay.agent.ship.HttpClients;
import io.assay.agent.state.StateDir;
import io.assay.protocol.api.EnrollResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import okhttp3.OkHttpClient;
import oshi.SystemInfo;
import io.assay.agent.enroll.EnrollException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-agent enroll}: register this host with a collector and write its key and token. */
@Command(name = "enroll", mixinStandardHelpOptions = true,
        description = "Enroll this host with a collector: makes the host key, presents it with the host's hardware"
                + " identity and the operator's enrollment token, and stores the host id and upload token.")
final class EnrollCommand implements Callable<Integer> {

    @Option(names = "--server", required = true, paramLabel = "URL", description = "Collector base URL, e.g. https://collector.example:8443")
    String server;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenSource tokenSource;

    /** The token on the command line (visible in the process list) or in a file (not). */
    static final class TokenSource {
        @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "Enrollment token issued by the collector's operator")
        String token;

        @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "Read the enrollment token from FILE"
                + " instead (keeps it out of the process list and shell history)")
        Path tokenFile;
    }

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/assay", description = "State directory (default: ${DEFAULT-VALUE})")
    Path stateDir;

    @Option(names = "--force", description = "Enroll again over an existing enrollment (new host id, key and chain; the old spool is moved aside)")
    boolean force;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Request time limit in seconds (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() {
        String token = tokenSource.token != null ? tokenSource.token : readToken(tokenSource.tokenFile);
        OkHttpClient http = HttpClients.create(Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        try {
            StateDir state = new StateDir(stateDir);
            EnrollResponse answer = new Enroller(http, state, new SecureRandom(), Clock.systemUTC())
                    .enroll(server, token, HostIdentityProbe.probe(new SystemInfo()), AgentInfo.current().version(), force);
            System.out.println("Enrolled as host " + answer.hostId() + " (key " + answer.keyId() + "); state in " + state.root());
            for (String w : answer.warnings()) System.out.println("warning from the collector: " + w);
            return ExitCodes.OK;
        } finally {
            HttpClients.close(http);
        }
    }

    private static String readToken(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) throw new EnrollException("The token file " + file + " is empty; put the enrollment token in it.", true);
            return t;
        } catch (IOException e) {
            throw new EnrollException("Cannot read the token file " + file + " (" + e + "); check the path and its permissions.", true);
        }
    }
}
