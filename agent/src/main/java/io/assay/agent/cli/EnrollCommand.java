package io.assay.agent.cli;

import io.assay.agent.enroll.CollectorPin;
import io.assay.agent.enroll.Enroller;
import io.assay.agent.ship.CollectorTrust;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Optional;
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

    @Option(names = "--ca", paramLabel = "FILE", description = "The collector's CA certificate (ca.crt from 'assay-server"
            + " tls init'): pinned, and the only CA trusted for the collector from now on.")
    Path caFile;

    @Option(names = "--ca-fingerprint", paramLabel = "sha256:HEX", description = "Pin the certificate the collector"
            + " presents if it has this fingerprint (from 'assay-server tls fingerprint ca.crt'); for unattended"
            + " installs. Without --ca or this, an https enrollment asks at the terminal, or is refused without one.")
    String caFingerprint;

    @Override
    public Integer call() {
        String token = tokenSource.token != null ? tokenSource.token : readToken(tokenSource.tokenFile);
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        URI serverUri;
        try {
            serverUri = URI.create(server.replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new EnrollException("The server URL \"" + server + "\" is not a usable http(s) URL: " + e.getMessage(), true);
        }
        Optional<X509Certificate> pin = CollectorPin.decide(serverUri, Optional.ofNullable(caFile),
                Optional.ofNullable(caFingerprint), Optional.ofNullable(System.console()), timeout, System.out);
        OkHttpClient http = HttpClients.create(timeout, pin);
        try {
            StateDir state = new StateDir(stateDir);
            EnrollResponse answer = new Enroller(http, state, new SecureRandom(), Clock.systemUTC())
                    .enroll(server, token, HostIdentityProbe.probe(new SystemInfo()), AgentInfo.current().version(), force);
            System.out.println("Enrolled as host " + answer.hostId() + " (key " + answer.keyId() + "); state in " + state.root());
            if (pin.isPresent()) {
                writePin(state.root(), pin.get());
                System.out.println("Pinned the collector's CA " + CollectorTrust.fingerprint(pin.get()) + " in "
                        + state.root().resolve(CollectorTrust.PINNED_CA_FILE) + "; only it is trusted for the collector.");
            }
            for (String w : answer.warnings()) System.out.println("warning from the collector: " + w);
            return ExitCodes.OK;
        } finally {
            HttpClients.close(http);
        }
    }

    private static void writePin(Path stateDir, X509Certificate ca) {
        try {
            CollectorTrust.writePinned(stateDir, ca);
        } catch (IOException e) {
            throw new EnrollException("Enrolled, but cannot write the pinned CA to " + stateDir + " (" + e + "); the agent"
                    + " would not trust the collector. Fix the directory's permissions and enroll again with --force.", e);
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
