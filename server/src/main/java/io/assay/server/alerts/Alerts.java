package io.assay.server.alerts;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.server.ingest.IngestListener;
import io.assay.server.store.AlertTables.Alert;
import io.assay.server.store.AlertTables.Delivery;
import io.assay.server.store.AlertTables.Kind;
import io.assay.server.store.AlertTables.Webhook;
import io.assay.server.store.ChainBreak;
import io.assay.server.store.Store;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises alerts: stores one (once per dedupe key) and queues its delivery to every webhook that
 * wants the host's operator, in the caller's transaction. As an {@link IngestListener} it raises
 * {@code mining} when a stored report is the first {@code MINING} one of a run, and
 * {@code chain-broken} at the first refused upload at a chain end (an agent retrying it every
 * minute is one alert, not one a minute). Thread-safe.
 */
public final class Alerts implements IngestListener {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    private final SecureRandom random;

    public Alerts(SecureRandom random) {
        this.random = requireNonNull(random, "random");
    }

    @Override
    public void stored(Store.Tx tx, String hostId, Report report, Instant receivedAt, String sourceAddress) {
        if (report.verdict() != Verdict.MINING) return;
        // A miner seen every minute is one alert per run, not one per report.
        boolean previousMining = report.seq() > 1 && tx.listReports(hostId,
                new io.assay.server.store.ReportQuery(Long.MIN_VALUE, Long.MAX_VALUE, report.seq() - 2, 1)).stream()
                .anyMatch(r -> r.seq() == report.seq() - 1 && r.verdict() == Verdict.MINING);
        if (previousMining) return;
        String rules = report.findings().stream().map(f -> f.ruleId()).distinct().reduce((a, b) -> a + ", " + b).orElse("");
        raise(tx, hostId, Kind.MINING, report.seq(), "host " + hostId + " reports MINING from seq " + report.seq()
                + (rules.isEmpty() ? "" : " (" + rules + ")"), "mining:" + hostId + ":" + report.seq(), receivedAt);
    }

    @Override
    public void chainBroken(Store.Tx tx, ChainBreak recorded, Instant receivedAt) {
        if (recorded.refusals() > 1) return; // raised at the first refusal at this chain end
        String detail = "host " + recorded.hostId() + ": upload of seq " + recorded.gotSeq() + " refused ("
                + recorded.kind().wireName() + ") after the collector's chain end at seq " + recorded.chainEnd() + ": "
                + recorded.detail();
        raise(tx, recorded.hostId(), Kind.CHAIN_BROKEN, recorded.gotSeq(), detail,
                "chain-broken:" + recorded.hostId() + ":" + recorded.chainEnd(), receivedAt);
    }

    /** Stores the alert unless its dedupe key was raised before; queues deliveries. Returns the new alert. */
    public Optional<Alert> raise(Store.Tx tx, String hostId, Kind kind, long seq, String detail, String dedupeKey,
            Instant now) {
        byte[] b = new byte[8];
        random.nextBytes(b);
        Alert a = new Alert("a-" + HexFormat.of().formatHex(b), dedupeKey, hostId, kind, seq, detail, now,
                Optional.empty(), "");
        if (!tx.alerts().insertAlert(a)) return Optional.empty();
        String operator = tx.fleet().membership(hostId).operator();
        for (Webhook w : tx.alerts().listWebhooks()) {
            if (w.wants(operator)) {
                tx.alerts().insertDelivery(new Delivery(a.id(), w.id(), 0, now.toEpochMilli(), Optional.empty(), ""));
            }
        }
        log.warn("{}: alert {} ({}): {}", hostId, a.id(), kind.wireName(), detail);
        return Optional.of(a);
    }
}
