package io.assay.agent.metrics;

import static java.util.Objects.requireNonNull;

import io.assay.agent.ship.ShipResult;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolException;
import io.assay.agent.spool.SpoolStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the agent tells its metrics port: sample cycle times and shipping failures as they happen,
 * and the spool and self-watch state read at each scrape. {@link #render} writes Prometheus text
 * exposition format 0.0.4. Thread-safe: the sample and ship jobs record on their threads, the
 * endpoint renders on its own.
 */
public final class AgentMetrics {
    /** Wall time of one sample tick (read the host, judge, and when a window closes, sign and spool), in seconds. */
    public static final String CYCLE_SECONDS = "assay_agent_cycle_seconds";
    /** The latest sample tick's wall time, in seconds. */
    public static final String CYCLE_LAST_SECONDS = "assay_agent_cycle_last_seconds";
    /** Reports in the spool the collector has not acknowledged, a count. */
    public static final String SPOOL_PENDING_REPORTS = "assay_agent_spool_pending_reports";
    /** Bytes of report envelopes the spool stores (unacknowledged and retained acknowledged ones). */
    public static final String SPOOL_BYTES = "assay_agent_spool_bytes";
    /** 1 while the spool cannot be written (full disk, I/O errors), else 0. */
    public static final String SPOOL_WRITE_FAILING = "assay_agent_spool_write_failing";
    /** The highest report seq the collector acknowledged (0 when none). */
    public static final String LAST_ACKNOWLEDGED_SEQ = "assay_agent_last_acknowledged_seq";
    /** When the collector last acknowledged a report, Unix time in seconds (0 when never). */
    public static final String LAST_ACKNOWLEDGED_TIMESTAMP_SECONDS = "assay_agent_last_acknowledged_timestamp_seconds";
    /** Batches the collector did not take (network error, busy, refused) since this run started, a count. */
    public static final String SHIP_FAILURES_TOTAL = "assay_agent_ship_failures_total";
    /** Times {@code assay-agent run} started on this spool (restarts are this minus one), a count. */
    public static final String STARTS_TOTAL = "assay_agent_starts_total";
    /** 1 for each kind of optional work the self-watch has shed now, else 0; label {@code work}. */
    public static final String SHED_ACTIVE = "assay_agent_shed_active";

    /** Histogram bounds in seconds: a tick is ~10 ms on a quiet host, ~150 ms with 1,000 processes, seconds when starved. */
    static final double[] CYCLE_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Spool spool;
    private final Supplier<Map<String, Boolean>> shed;
    private final long[] cycleBuckets = new long[CYCLE_BUCKETS.length];
    private long cycleCount;
    private double cycleSumSeconds;
    private double cycleLastSeconds = Double.NaN;
    private long shipFailures;

    /**
     * @param shed each sheddable kind of work (the self-watch's ladder, in order) and whether it is
     *     shed now; an empty map when the self-watch is off
     */
    public AgentMetrics(Spool spool, Supplier<Map<String, Boolean>> shed) {
        this.spool = requireNonNull(spool, "spool");
        this.shed = requireNonNull(shed, "shed");
    }

    /** One sample tick took {@code nanos}. */
    public synchronized void recordCycle(long nanos) {
        double seconds = nanos / 1e9;
        cycleLastSeconds = seconds;
        cycleSumSeconds += seconds;
        cycleCount++;
        for (int i = 0; i < CYCLE_BUCKETS.length; i++) {
            if (seconds <= CYCLE_BUCKETS[i]) cycleBuckets[i]++;
        }
    }

    /** What one ship run did: each batch the collector did not take counts as a failure. */
    public synchronized void recordShip(List<ShipResult> results) {
        for (ShipResult r : results) {
            if (r.outcome() == ShipResult.Outcome.RETRY || r.outcome() == ShipResult.Outcome.REFUSED) shipFailures++;
        }
    }

    /** The text exposition of every metric now. A spool that cannot be read leaves its metrics out (missing is not zero). */
    public String render() {
        StringBuilder out = new StringBuilder(2048);
        synchronized (this) {
            header(out, CYCLE_SECONDS, "histogram", "Wall time of one sample tick (read the host, judge, and when a window"
                    + " closes, sign and spool).");
            for (int i = 0; i < CYCLE_BUCKETS.length; i++) {
                out.append(CYCLE_SECONDS).append("_bucket{le=\"").append(number(CYCLE_BUCKETS[i])).append("\"} ")
                        .append(cycleBuckets[i]).append('\n');
            }
            out.append(CYCLE_SECONDS).append("_bucket{le=\"+Inf\"} ").append(cycleCount).append('\n');
            out.append(CYCLE_SECONDS).append("_sum ").append(number(cycleSumSeconds)).append('\n');
            out.append(CYCLE_SECONDS).append("_count ").append(cycleCount).append('\n');
            if (!Double.isNaN(cycleLastSeconds)) {
                gauge(out, CYCLE_LAST_SECONDS, "The latest sample tick's wall time.", number(cycleLastSeconds));
            }
            header(out, SHIP_FAILURES_TOTAL, "counter", "Batches the collector did not take (network error, busy,"
                    + " refused) since this run started.");
            out.append(SHIP_FAILURES_TOTAL).append(' ').append(shipFailures).append('\n');
        }
        // Outside the lock: the spool has its own, and a slow disk must not hold up the jobs' recording.
        try {
            SpoolStatus s = spool.status();
            gauge(out, SPOOL_PENDING_REPORTS, "Reports in the spool the collector has not acknowledged.",
                    Long.toString(s.depth()));
            gauge(out, SPOOL_BYTES, "Bytes of report envelopes the spool stores.", Long.toString(s.bytes()));
            gauge(out, LAST_ACKNOWLEDGED_SEQ, "The highest report seq the collector acknowledged (0: none).",
                    Long.toString(s.lastAckSeq()));
            gauge(out, LAST_ACKNOWLEDGED_TIMESTAMP_SECONDS, "When the collector last acknowledged a report, Unix"
                    + " seconds (0: never).", number(s.lastAckMs() / 1000.0));
            header(out, STARTS_TOTAL, "counter", "Times assay-agent run started on this spool.");
            out.append(STARTS_TOTAL).append(' ').append(s.starts()).append('\n');
        } catch (SpoolException e) {
            out.append("# spool unreadable: ").append(e.getMessage().replace('\n', ' ')).append('\n');
        }
        gauge(out, SPOOL_WRITE_FAILING, "1 while the spool cannot be written (full disk, I/O errors).",
                spool.problemNow().isPresent() ? "1" : "0");
        Map<String, Boolean> work = shed.get();
        if (!work.isEmpty()) {
            header(out, SHED_ACTIVE, "gauge", "1 for each kind of optional work the self-watch has shed now.");
            work.forEach((id, on) -> out.append(SHED_ACTIVE).append("{work=\"").append(id).append("\"} ")
                    .append(on ? 1 : 0).append('\n'));
        }
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, String value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v); // "1.5E-4" is valid exposition syntax (Go's ParseFloat reads it)
    }
}
