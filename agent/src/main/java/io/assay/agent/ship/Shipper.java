package io.assay.agent.ship;

import static java.util.Objects.requireNonNull;

import io.assay.agent.spool.ChainHeal;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolEntry;
import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.api.Ack;
import io.assay.protocol.api.BatchResponse;
import io.assay.protocol.api.Problem;
import io.assay.protocol.api.ReportBatch;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts batches of pending reports to {@code {server}/api/v1/reports} and marks what the
 * collector acknowledged. Marks a report only when its ack's payload hash equals the spooled
 * one. A refused batch (4xx problem) applies the acks of the accepted prefix, records the
 * problem as the spool's last error, logs it once per distinct problem (no stack trace), and
 * backs off; 429/503 honour {@code Retry-After}; network errors back off with jitter.
 *
 * <p>Confined to the shipping job's thread (the schedule never runs it concurrently), except
 * {@link #expedite()}, which any thread may call.
 */
public final class Shipper {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private final OkHttpClient http;
    private final String reportsUrl;
    private final String hostToken;
    private final String hostId;
    private final Spool spool;
    private final int batchSize;
    private final Backoff backoff;
    private final Clock clock;

    private Instant notBefore = Instant.EPOCH;
    /** True while the wait is the collector's own Retry-After, which even urgent reports respect. */
    private boolean waitIsRetryAfter;
    /** Set by another thread (the sampling job) to skip our own backoff once. */
    private volatile boolean expedite;
    private String lastLoggedProblem = "";

    public Shipper(OkHttpClient http, String serverUrl, String hostId, String hostToken, Spool spool, int batchSize,
            Backoff backoff, Clock clock) {
        this.http = requireNonNull(http, "http");
        this.reportsUrl = requireNonNull(serverUrl, "serverUrl").replaceAll("/+$", "") + "/api/v1/reports";
        this.hostId = requireNonNull(hostId, "hostId");
        this.hostToken = requireNonNull(hostToken, "hostToken");
        this.spool = requireNonNull(spool, "spool");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1");
        this.batchSize = batchSize;
        this.backoff = requireNonNull(backoff, "backoff");
        this.clock = requireNonNull(clock, "clock");
    }

    /** When the next attempt may be made; {@link Instant#EPOCH} when not backing off. */
    public Instant notBefore() {
        return notBefore;
    }

    /**
     * Asks the next {@link #shipOnce()} to skip the shipper's own backoff (not a collector's
     * {@code Retry-After}): a {@code MINING} report should not wait minutes behind a backoff
     * that started when the collector was briefly unreachable. Thread-safe.
     */
    public void expedite() {
        expedite = true;
    }

    /** Ships batches until the spool is empty, a batch fails, or {@code maxBatches} were sent. */
    public List<ShipResult> drain(int maxBatches) {
        List<ShipResult> results = new ArrayList<>();
        for (int i = 0; i < maxBatches; i++) {
            ShipResult r = shipOnce();
            results.add(r);
            if (r.outcome() == ShipResult.Outcome.HEALED) continue;
            if (r.outcome() != ShipResult.Outcome.SENT || r.acked() == 0) break;
        }
        return results;
    }

    /** Sends one batch of up to {@code ship.batch.size} pending reports, unless backing off. */
    public ShipResult shipOnce() {
        Instant now = clock.instant();
        boolean urgent = expedite;
        expedite = false;
        if (now.isBefore(notBefore) && !(urgent && !waitIsRetryAfter)) {
            return new ShipResult(ShipResult.Outcome.WAITING, 0, Duration.between(now, notBefore), "");
        }
        List<SpoolEntry> batch = spool.pending(batchSize);
        if (batch.isEmpty()) return new ShipResult(ShipResult.Outcome.IDLE, 0, Duration.ZERO, "");

        byte[] body = Json.toBytes(new ReportBatch(batch.stream().map(SpoolEntry::envelope).toList()));
        Request request = new Request.Builder()
                .url(reportsUrl)
                .header("Authorization", "Bearer " + hostToken)
                .post(RequestBody.create(body, JSON))
                .build();
        String range = "seq " + batch.get(0).seq() + ".." + batch.get(batch.size() - 1).seq();
        try (Response response = http.newCall(request).execute()) {
            String text = readBody(response.body());
            if (response.code() == 200) return onAccepted(batch, text, range);
            return onProblem(batch, response, text, range);
        } catch (IOException e) {
            String problem = "network: " + e;
            return retry(problem, backoff.next(), "host " + hostId + ": cannot reach the collector at " + reportsUrl
                    + " (" + e + "); " + spool.depth() + " report(s) wait in the spool; retrying with backoff");
        }
    }

    private ShipResult onAccepted(List<SpoolEntry> batch, String text, String range) {
        BatchResponse answer;
        try {
            answer = Json.fromJson(text, BatchResponse.class);
        } catch (ProtocolException e) {
            return retry("malformed-response: " + e.getMessage(), backoff.next(), "host " + hostId + ": the collector's"
                    + " answer to " + range + " is not a batch response (" + e.getMessage() + "); retrying");
        }
        Optional<String> mismatch = applyAcks(batch, answer.acks());
        backoff.reset();
        notBefore = Instant.EPOCH;
        int acked = countMatching(batch, answer.acks());
        if (mismatch.isPresent()) {
            spool.recordError(mismatch.get());
            logOnce("ack-mismatch", true, "host " + hostId + ": " + mismatch.get());
            return new ShipResult(ShipResult.Outcome.SENT, acked, Duration.ZERO, mismatch.get());
        }
        if (!lastLoggedProblem.isEmpty()) {
            log.info("host {}: shipping works again ({} acknowledged)", hostId, range);
            lastLoggedProblem = "";
        }
        log.debug("host {}: {} acknowledged", hostId, range);
        return new ShipResult(ShipResult.Outcome.SENT, acked, Duration.ZERO, "");
    }

    private ShipResult onProblem(List<SpoolEntry> batch, Response response, String text, String range) {
        int status = response.code();
        Problem problem = parseProblem(status, text);
        applyAcks(batch, problem.acks());
        ChainHeal heal = spool.healChain(problem.type(), problem.seq(), problem.expectedSeq(), problem.chainEndHash());
        if (heal != ChainHeal.NONE) {
            // The spool fixed its side (resend, gap or new epoch): try again now instead of refusing forever.
            String what = problem.type() + " (" + status + "): " + problem.detail() + "; healed: " + heal.name().toLowerCase();
            spool.recordError(what);
            log.warn("host {}: the collector did not take {} ({}); the collector's chain ends at seq {}; {}", hostId,
                    range, problem.type(), problem.expectedSeq() - 1, switch (heal) {
                        case RESENT -> "sending the reports it lost again";
                        case GAP -> "it lost reports this agent no longer holds: recorded as a signed gap";
                        case EPOCH -> "this agent's state was rolled back: continuing in a new epoch from the collector's end";
                        case NONE -> "";
                    });
            backoff.reset();
            notBefore = Instant.EPOCH;
            lastLoggedProblem = "";
            return new ShipResult(ShipResult.Outcome.HEALED, countMatching(batch, problem.acks()), Duration.ZERO,
                    problem.type());
        }
        String what = problem.type() + " (" + status + "): " + problem.detail()
                + (problem.seq() >= 0 ? " [seq " + problem.seq() + "]" : "");
        Optional<Duration> retryAfter = (status == 429 || status == 503)
                ? retryAfter(response.header("Retry-After")) : Optional.empty();
        Duration delay = retryAfter.orElseGet(backoff::next);
        waitIsRetryAfter = retryAfter.isPresent();
        boolean operatorMustAct = status >= 400 && status < 500 && status != 429 && status != 408;
        spool.recordError(what);
        logOnce(problem.type(), operatorMustAct, "host " + hostId + ": the collector did not take " + range + ": " + what
                + "; " + problem.acks().size() + " accepted before it; retrying in " + delay.toSeconds() + "s"
                + (operatorMustAct ? ". This does not heal by itself: check the host's enrollment and the collector's log" : ""));
        notBefore = clock.instant().plus(delay);
        ShipResult.Outcome outcome = status >= 500 || status == 429 || status == 408
                ? ShipResult.Outcome.RETRY : ShipResult.Outcome.REFUSED;
        return new ShipResult(outcome, countMatching(batch, problem.acks()), delay, problem.type());
    }

    private ShipResult retry(String problem, Duration delay, String message) {
        notBefore = clock.instant().plus(delay);
        waitIsRetryAfter = false;
        spool.recordError(problem);
        logOnce(problem.contains(":") ? problem.substring(0, problem.indexOf(':')) : problem, false, message);
        return new ShipResult(ShipResult.Outcome.RETRY, 0, delay, problem);
    }

    /** Marks acks whose seq and payload hash match the batch; returns a description of any that do not. */
    private Optional<String> applyAcks(List<SpoolEntry> batch, List<Ack> acks) {
        Map<Long, String> sent = new HashMap<>();
        for (SpoolEntry e : batch) sent.put(e.seq(), e.payloadHash());
        Map<Long, String> ok = new HashMap<>();
        String mismatch = null;
        for (Ack ack : acks) {
            String expected = sent.get(ack.seq());
            if (expected != null && expected.equals(ack.payloadHash()) && ack.hostId().equals(hostId)) {
                ok.put(ack.seq(), expected);
            } else if (mismatch == null) {
                mismatch = "ack-mismatch: the collector acknowledged seq " + ack.seq() + " of host " + ack.hostId()
                        + " with payload hash " + ack.payloadHash() + ", which is not what this spool sent"
                        + (expected == null ? "" : " (" + expected + ")") + "; the report stays unacknowledged";
            }
        }
        spool.markAcked(ok);
        return Optional.ofNullable(mismatch);
    }

    private int countMatching(List<SpoolEntry> batch, List<Ack> acks) {
        Map<Long, String> sent = new HashMap<>();
        for (SpoolEntry e : batch) sent.put(e.seq(), e.payloadHash());
        return (int) acks.stream().filter(a -> a.payloadHash().equals(sent.get(a.seq())) && a.hostId().equals(hostId)).count();
    }

    private void logOnce(String key, boolean error, String message) {
        if (key.equals(lastLoggedProblem)) {
            log.debug(message);
            return;
        }
        lastLoggedProblem = key;
        if (error) log.error(message);
        else log.warn(message);
    }

    private static Problem parseProblem(int status, String text) {
        try {
            Problem p = Json.fromJson(text, Problem.class);
            return p;
        } catch (ProtocolException e) {
            String detail = text.length() > 200 ? text.substring(0, 200) + "…" : text;
            return Problem.of(status, "http-" + status, "HTTP " + status, detail.isBlank() ? "(no body)" : detail.strip());
        }
    }

    /** Retry-After in delta-seconds; an HTTP date or garbage falls back to backoff. */
    static Optional<Duration> retryAfter(String header) {
        if (header == null) return Optional.empty();
        try {
            long s = Long.parseLong(header.trim());
            if (s < 0) return Optional.empty();
            Duration d = Duration.ofSeconds(s);
            return Optional.of(d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String readBody(ResponseBody body) throws IOException {
        if (body == null) return "";
        // Answers are small; a collector gone wrong must not make the agent buffer megabytes.
        long limit = 1 << 20;
        okio.BufferedSource source = body.source();
        source.request(limit);
        return source.getBuffer().readUtf8(Math.min(source.getBuffer().size(), limit));
    }
}
