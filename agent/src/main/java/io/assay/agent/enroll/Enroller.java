package io.assay.agent.enroll;

import static java.util.Objects.requireNonNull;

import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.EnrollResponse;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolls this host with a collector: generates the host key, posts {@code /api/v1/enroll} with
 * the operator's token, and writes {@code host.key} and {@code enrollment.json}. The key is
 * written only after the collector accepted it, so a failed enrollment leaves no orphan key.
 * Refuses to enroll over an existing enrollment unless forced; forcing moves the old spool
 * aside, because the new host id starts a new chain at seq 1.
 */
public final class Enroller {
    private static final Logger log = LoggerFactory.getLogger(Enroller.class);
    private static final MediaType JSON = MediaType.get("application/json");

    private final OkHttpClient http;
    private final StateDir state;
    private final SecureRandom random;
    private final Clock clock;

    public Enroller(OkHttpClient http, StateDir state, SecureRandom random, Clock clock) {
        this.http = requireNonNull(http, "http");
        this.state = requireNonNull(state, "state");
        this.random = requireNonNull(random, "random");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The collector's answer, with the warnings it gave (e.g. a cloned system UUID). */
    public EnrollResponse enroll(String serverUrl, String token, HostIdentity identity, String agentVersion,
            boolean force) {
        if (state.isEnrolled() && !force) {
            String existing = state.readEnrollment().map(e -> "host " + e.hostId() + " at " + e.serverUrl()).orElse("");
            throw new EnrollException("This host is already enrolled (" + existing + ", " + state.enrollmentFile()
                    + "). Enrolling again makes a new host id and key and starts a new report chain; if that is"
                    + " what you want, run again with --force.", true);
        }
        Ed25519Signer key = Ed25519Signer.generate(random);
        String base = serverUrl.replaceAll("/+$", "");
        // Signed with the new key over the token and time: proves to the collector that we hold the key.
        byte[] body = Json.toBytes(EnrollRequest.signed(identity, key, agentVersion, token, clock.millis()));
        Request request = new Request.Builder()
                .url(base + "/api/v1/enroll")
                .header("Authorization", "Bearer " + token)
                .post(RequestBody.create(body, JSON))
                .build();
        EnrollResponse answer;
        try (Response response = http.newCall(request).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            if (response.code() != 200) throw refused(base, response.code(), text);
            try {
                answer = Json.fromJson(text, EnrollResponse.class);
            } catch (ProtocolException e) {
                throw new EnrollException("The collector at " + base + " answered the enrollment with something that is"
                        + " not an enrollment response (" + e.getMessage() + "). Check that --server points at an"
                        + " Assay collector.", e);
            }
        } catch (IOException e) {
            throw new EnrollException("Cannot reach the collector at " + base + " (" + e + "). Check the URL, that the"
                    + " collector runs, and that this host can reach it; then enroll again.", e);
        } catch (IllegalArgumentException e) {
            throw new EnrollException("The server URL \"" + serverUrl + "\" is not a usable http(s) URL: "
                    + e.getMessage(), true);
        }
        if (!answer.keyId().equals(key.publicKey().keyId())) {
            throw new EnrollException("The collector pinned key " + answer.keyId() + " but this host presented "
                    + key.publicKey().keyId() + "; refusing to store an enrollment for a key we do not hold.", false);
        }
        if (force) moveSpoolAside();
        state.ensureExists();
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment(answer.hostId(), base, answer.hostToken(), answer.keyId()));
        log.info("host {}: enrolled at {} with key {}", answer.hostId(), base, answer.keyId());
        return answer;
    }

    private void moveSpoolAside() {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path spool = Path.of(state.spoolFile() + suffix);
            if (!Files.exists(spool)) continue;
            Path aside = Path.of(state.spoolFile() + ".before-" + clock.millis() + suffix);
            try {
                Files.move(spool, aside);
                log.info("moved the old spool {} aside to {}", spool, aside);
            } catch (IOException e) {
                throw new EnrollException("Cannot move the old spool " + spool + " aside (" + e + "); move it away"
                        + " by hand and enroll again.", e);
            }
        }
    }

    private static EnrollException refused(String base, int status, String text) {
        String detail;
        try {
            Problem p = Json.fromJson(text, Problem.class);
            detail = p.type() + ": " + p.detail();
        } catch (ProtocolException e) {
            detail = text.length() > 200 ? text.substring(0, 200) + "…" : text;
        }
        String advice = switch (status) {
            case 401, 403 -> "The enrollment token was refused: check it (tokens can expire or be single-use) and ask"
                    + " the collector's operator for a new one.";
            case 404 -> "The collector has no enrollment endpoint at that URL: check --server.";
            default -> "Check the collector's log for details, then enroll again.";
        };
        return new EnrollException("The collector at " + base + " refused the enrollment with HTTP " + status + " ("
                + detail + "). " + advice, status == 401 || status == 403);
    }
}
