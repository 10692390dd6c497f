package io.assay.server.alerts;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.assay.server.store.AlertTables.Alert;
import io.assay.server.store.AlertTables.Delivery;
import io.assay.server.store.AlertTables.Kind;
import io.assay.server.store.AlertTables.Webhook;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts' background work, on one named thread: every {@link #TICK} it posts due deliveries
 * and every {@link #SCAN} it looks for forks and hosts unattested longer than the bound. Every
 * decision reads the injected clock; only the pacing of the loop is real time.
 *
 * <p>A delivery is a POST of the alert as JSON with {@code X-Assay-Signature: sha256=HEX}, the
 * HMAC-SHA256 of the exact body under the webhook's secret. A 2xx answer delivers it; anything
 * else (status, refused connection, timeout) retries after {@code 1 s × 2^(attempt-1)}, at most
 * {@link #MAX_BACKOFF} apart, up to {@link #MAX_ATTEMPTS} attempts; the alert stays in the API either way.
 */
public final class AlertDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);
    static final Duration TICK = Duration.ofMillis(250);
    static final Duration SCAN = Duration.ofSeconds(5);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    static final int MAX_ATTEMPTS = 20;
    /** A host whose agent has said nothing for this long is alerted as unattested. */
    public static final Duration DEFAULT_UNATTESTED_BOUND = Duration.ofMinutes(15);
    public static final String SIGNATURE_HEADER = "X-Assay-Signature";

    private final Store store;
    private final Alerts alerts;
    private final Clock clock;
    private final Duration unattestedBound;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "assay-alerts-1");
        t.setDaemon(true);
        return t;
    });
    private long lastScanMs = Long.MIN_VALUE;

    public AlertDispatcher(Store store, Alerts alerts, Clock clock, Duration unattestedBound) {
        this.store = requireNonNull(store, "store");
        this.alerts = requireNonNull(alerts, "alerts");
        this.clock = requireNonNull(clock, "clock");
        this.unattestedBound = requireNonNull(unattestedBound, "unattestedBound");
    }

    public void start() {
        executor.scheduleWithFixedDelay(this::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tickSafely() {
        try {
            long now = System.nanoTime() / 1_000_000;
            if (lastScanMs == Long.MIN_VALUE || now - lastScanMs >= SCAN.toMillis()) {
                lastScanMs = now;
                scan();
            }
            deliverDue();
        } catch (RuntimeException e) {
            // The loop must survive a database hiccup; the next tick retries.
            log.warn("alerts: background pass failed: {}", e.toString());
        }
    }

    /** Raises fork and unattested alerts (idempotent: dedupe keys). */
    void scan() {
        Instant now = clock.instant();
        store.inTransaction(tx -> {
            for (HostRecord h : tx.listHosts()) {
                for (HostEvent e : tx.listEvents(h.hostId())) {
                    if (e.kind() == HostEvent.Kind.FORK) {
                        alerts.raise(tx, h.hostId(), Kind.FORK, e.seq(), e.detail(),
                                "fork:" + h.hostId() + ":" + e.seq() + ":" + e.at().toEpochMilli(), now);
                    }
                }
                Instant last = h.lastSeen().orElse(h.enrolledAt());
                if (Duration.between(last, now).compareTo(unattestedBound) > 0) {
                    alerts.raise(tx, h.hostId(), Kind.UNATTESTED, h.lastSeq(), "host " + h.hostId() + " ("
                            + h.identity().hostname() + ") has sent no report since " + last + ", longer than "
                            + unattestedBound.toMinutes() + " min", "unattested:" + h.hostId() + ":" + h.lastSeq(), now);
                }
            }
            return null;
        });
    }

    /** Posts every due delivery once. */
    void deliverDue() {
        long now = clock.millis();
        List<Delivery> due = store.read(tx -> tx.alerts().dueDeliveries(now, MAX_ATTEMPTS, 100));
        if (due.isEmpty()) return;
        Map<String, Webhook> hooks = store.read(tx -> tx.alerts().listWebhooks()).stream()
                .collect(Collectors.toMap(Webhook::id, Function.identity()));
        for (Delivery d : due) {
            Webhook w = hooks.get(d.webhookId());
            Optional<Alert> a = store.read(tx -> tx.alerts().findAlert(d.alertId()));
            if (w == null || a.isEmpty()) continue;
            byte[] body = body(a.get());
            Optional<String> error = post(w, a.get(), d.attempts() + 1, body);
            int attempts = d.attempts() + 1;
            Delivery next = error.isEmpty()
                    ? new Delivery(d.alertId(), d.webhookId(), attempts, d.nextAttemptMs(), Optional.of(clock.instant()), "")
                    : new Delivery(d.alertId(), d.webhookId(), attempts, clock.millis() + backoff(attempts).toMillis(),
                            Optional.empty(), error.get());
            store.inTransaction(tx -> {
                tx.alerts().updateDelivery(next);
                return null;
            });
            if (error.isPresent()) {
                log.warn("alert {}: delivery {} to {} failed ({}); retrying in {} s", d.alertId(), attempts, w.url(),
                        error.get(), backoff(attempts).toSeconds());
            }
        }
    }

    static Duration backoff(int attempts) {
        long ms = FIRST_BACKOFF.toMillis() << Math.min(20, Math.max(0, attempts - 1));
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    private Optional<String> post(Webhook w, Alert a, int attempt, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(w.url())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-Assay-Alert", a.id())
                .header("X-Assay-Delivery-Attempt", Integer.toString(attempt))
                .header(SIGNATURE_HEADER, "sha256=" + sign(w.secret(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            return r.statusCode() / 100 == 2 ? Optional.empty() : Optional.of("HTTP " + r.statusCode());
        } catch (IOException e) {
            return Optional.of(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Lowercase hex HMAC-SHA256 of {@code body} under {@code secret} (UTF-8). */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }

    static byte[] body(Alert a) {
        JsonObject o = AlertRoutes.alertJson(a);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
