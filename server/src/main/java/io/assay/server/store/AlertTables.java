package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Alerts, webhooks and deliveries, seen through one transaction ({@link Store.ReadTx#alerts()}). */
public interface AlertTables {

    /** What an alert is about. */
    enum Kind {
        MINING, FORK, UNATTESTED,
        /** Uploads refused for a seq gap or a wrong prev (a {@link ChainBreak}): reports lost, or an agent's state rolled back. */
        CHAIN_BROKEN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @throws IllegalArgumentException not a wire name of a kind */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.wireName().equals(s.toLowerCase(Locale.ROOT))) return k;
            }
            throw new IllegalArgumentException("unknown alert kind \"" + s + "\"");
        }
    }

    /** A webhook: where alerts of some operators (all when {@code operators} is empty) are posted, signed with {@code secret}. */
    record Webhook(String id, String url, String secret, List<String> operators, Instant createdAt) {
        public Webhook {
            requireNonNull(id, "id");
            requireNonNull(url, "url");
            requireNonNull(secret, "secret");
            operators = List.copyOf(operators);
            requireNonNull(createdAt, "createdAt");
        }

        public boolean wants(String operator) {
            return operators.isEmpty() || operators.contains(operator);
        }
    }

    /**
     * @param dedupeKey equal keys are one alert (one per mining run, fork or silence)
     * @param ackedBy note of the token that acknowledged it, "" while open
     */
    record Alert(String id, String dedupeKey, String hostId, Kind kind, long seq, String detail, Instant raisedAt,
            Optional<Instant> ackedAt, String ackedBy) {
        public Alert {
            requireNonNull(id, "id");
            requireNonNull(dedupeKey, "dedupeKey");
            requireNonNull(hostId, "hostId");
            requireNonNull(kind, "kind");
            requireNonNull(detail, "detail");
            requireNonNull(raisedAt, "raisedAt");
            requireNonNull(ackedAt, "ackedAt");
            requireNonNull(ackedBy, "ackedBy");
        }
    }

    /** The state of one alert's delivery to one webhook. */
    record Delivery(String alertId, String webhookId, int attempts, long nextAttemptMs, Optional<Instant> deliveredAt,
            String lastError) {
        public Delivery {
            requireNonNull(alertId, "alertId");
            requireNonNull(webhookId, "webhookId");
            requireNonNull(deliveredAt, "deliveredAt");
            requireNonNull(lastError, "lastError");
        }
    }

    void insertWebhook(Webhook w);

    List<Webhook> listWebhooks();

    /** Stores the alert unless one with its dedupe key exists; true when stored. */
    boolean insertAlert(Alert a);

    Optional<Alert> findAlert(String id);

    /** All alerts, newest first. */
    List<Alert> listAlerts();

    /** Marks an open alert acknowledged; false when it is unknown or already acknowledged. */
    boolean acknowledge(String id, Instant at, String by);

    void insertDelivery(Delivery d);

    void updateDelivery(Delivery d);

    /** Undelivered deliveries due at {@code nowMs} with fewer than {@code maxAttempts} attempts, oldest due first. */
    List<Delivery> dueDeliveries(long nowMs, int maxAttempts, int limit);

    List<Delivery> deliveriesOf(String alertId);
}
