package io.assay.server.bench;

import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.Verdict;
import java.util.List;

/**
 * What the fleet bench's host number {@code n} did over {@code days} days of one-minute reports
 * from {@code t0} (UTC midnight): the one definition the bench's full hosts are signed and
 * ingested from. {@code BenchFleetCommand}'s SQL generator writes the summary rows of the same
 * plan set-based, and the bench checks the two agree for the full hosts.
 *
 * <ul>
 *   <li>most hosts: clean all along, one agent run;
 *   <li>{@code n % 100} in 90..95: silent for 2 hours on day {@code days/3} (at hour {@code n % 24}), then the
 *       agent restarts (seq continues: the chain is unbroken, the time is unattested);
 *   <li>{@code n % 100} in 96..99: a 3-hour mining episode on day {@code 2*days/3}, with a pool finding;
 *   <li>{@code n % 100 == 89}: degraded for the last hour;
 *   <li>{@code n % 1000 == 500}: mining for the last 3 hours, and still mining.
 * </ul>
 * Every report states 6,000 J (100 W for 60 s).
 */
final class FleetShape {
    static final long MIN = 60_000;
    static final int GAP_MINUTES = 120;
    static final int EPISODE_MINUTES = 180;
    static final double JOULES = 6_000;
    static final Finding POOL = new Finding("sig.pool.connection", Finding.Kind.SIGNATURE,
            "process 4242 (xmrig) connects to a mining pool at pool.example:3333", 4242, "xmrig", "/tmp/.x/xmrig",
            "c".repeat(64), "nobody", List.of("pool.example:3333"), 0, "");
    static final Hardware ENERGY = new Hardware(List.of(), List.of(), List.of(),
            List.of(new Hardware.Energy("rapl", JOULES, 100, 60_000, "rapl")), List.of());

    enum Kind { CLEAN, GAP, EPISODE, DEGRADED_NOW, MINING_NOW }

    private final long n;
    private final int minutes;
    private final Kind kind;
    private final long gapStart;
    private final long episodeStart;

    FleetShape(long n, int days) {
        if (days < 3) throw new IllegalArgumentException("the fleet bench needs at least 3 days, not " + days);
        this.n = n;
        this.minutes = days * 1440;
        this.kind = kind(n);
        this.gapStart = (days / 3) * 1440L + (n % 24) * 60;
        this.episodeStart = (2 * days / 3) * 1440L + (n % 24) * 60;
    }

    static Kind kind(long n) {
        if (n % 1000 == 500) return Kind.MINING_NOW;
        long r = n % 100;
        if (r == 89) return Kind.DEGRADED_NOW;
        if (r >= 90 && r <= 95) return Kind.GAP;
        if (r >= 96) return Kind.EPISODE;
        return Kind.CLEAN;
    }

    Kind kind() {
        return kind;
    }

    int minutes() {
        return minutes;
    }

    /** Whether the agent reported minute {@code m}. */
    boolean present(long m) {
        return !(kind == Kind.GAP && m >= gapStart && m < gapStart + GAP_MINUTES);
    }

    long seq(long m) {
        return m + 1 - (kind == Kind.GAP && m >= gapStart + GAP_MINUTES ? GAP_MINUTES : 0);
    }

    /** When the agent process that reported minute {@code m} started (ms from t0). */
    long agentStartedOffsetMs(long m) {
        return kind == Kind.GAP && m >= gapStart + GAP_MINUTES ? (gapStart + GAP_MINUTES) * MIN - 1_000 : -MIN;
    }

    Verdict verdict(long m) {
        return switch (kind) {
            case EPISODE -> m >= episodeStart && m < episodeStart + EPISODE_MINUTES ? Verdict.MINING : Verdict.CLEAN;
            case MINING_NOW -> m >= minutes - EPISODE_MINUTES ? Verdict.MINING : Verdict.CLEAN;
            case DEGRADED_NOW -> m >= minutes - 60 ? Verdict.DEGRADED : Verdict.CLEAN;
            default -> Verdict.CLEAN;
        };
    }

    List<Finding> findings(long m) {
        return verdict(m) == Verdict.MINING ? List.of(POOL) : List.of();
    }

    /** The first {@code count} host numbers below {@code hosts} that cover every kind in turn. */
    static List<Long> fullHosts(int count, long hosts) {
        long[][] seeds = {{1, 100}, {90, 100}, {96, 100}, {89, 100}, {500, 1000}};
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (int round = 0; out.size() < count && round < hosts; round++) {
            boolean any = false;
            for (long[] s : seeds) {
                long k = s[0] + round * s[1];
                if (k < hosts && out.size() < count && !out.contains(k)) {
                    out.add(k);
                    any = true;
                }
            }
            if (!any && round > 0 && seeds[0][0] + round * seeds[0][1] >= hosts) break;
        }
        return out;
    }

    static String hostId(long n) {
        return String.format("h-%06d", n);
    }
}
