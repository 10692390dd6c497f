package io.assay.agent.exec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a stream of exec events into a bounded number of looks, pure (time is passed in): a fork
 * bomb or a build with thousands of execs a second must cost a few looks a second, not thousands.
 *
 * <ul>
 *   <li>An exec'd process is looked at once it has run for {@code settleMs} (a shell's fork,
 *       exec of a helper and exec of the program land within milliseconds: one look sees the
 *       program), and again after each of {@code followUpMs} (a miner opens its config and connects
 *       to its pool in its first moments, after the first look).
 *   <li>Looks are at least {@code minGapMs} apart and name at most {@code maxPidsPerLook} processes;
 *       first looks go before follow-ups.
 *   <li>At most {@code maxPending} processes wait; execs beyond that are dropped and counted
 *       ({@link #dropped}): the periodic sample still sees those processes. A process that execs
 *       again while it waits is one process ({@link #coalesced}).
 * </ul>
 *
 * <p>Not thread-safe: owned by the event thread.
 */
final class ExecBatcher {
    private final int maxPidsPerLook;
    private final long minGapMs;
    private final long settleMs;
    private final long[] followUpMs;
    private final int maxPending;
    /** pid → when its (latest coalesced) exec was seen, in arrival order. */
    private final LinkedHashMap<Integer, Long> pending = new LinkedHashMap<>();
    /** pids looked at, with when they are due again and which follow-up that is, in time order. */
    private final java.util.PriorityQueue<long[]> followUps = new java.util.PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private long lastLookMs = Long.MIN_VALUE / 2;
    private long execs;
    private long dropped;
    private long coalesced;

    /** @param followUpMs delays after the first look of the further looks, ascending */
    ExecBatcher(int maxPidsPerLook, long minGapMs, long settleMs, long[] followUpMs, int maxPending) {
        if (maxPidsPerLook < 1 || minGapMs < 0 || settleMs < 0 || maxPending < maxPidsPerLook) {
            throw new IllegalArgumentException("bad exec batching bounds");
        }
        this.maxPidsPerLook = maxPidsPerLook;
        this.minGapMs = minGapMs;
        this.settleMs = settleMs;
        for (int i = 0; i < followUpMs.length; i++) {
            if (followUpMs[i] <= 0 || (i > 0 && followUpMs[i] <= followUpMs[i - 1])) {
                throw new IllegalArgumentException("follow-up delays must be positive and ascending");
            }
        }
        this.followUpMs = followUpMs.clone();
        this.maxPending = maxPending;
    }

    /** An exec of process {@code tgid} was seen at {@code nowMs}. */
    void exec(int tgid, long nowMs) {
        execs++;
        if (pending.containsKey(tgid)) {
            coalesced++;
            pending.put(tgid, nowMs); // the latest exec: let it settle too
            return;
        }
        if (pending.size() >= maxPending) {
            dropped++;
            return;
        }
        pending.put(tgid, nowMs);
    }

    /**
     * The processes to look at now, or empty when no look is due (none settled, or the previous look
     * was less than {@code minGapMs} ago). Taking a batch counts as a look.
     */
    Optional<Set<Integer>> due(long nowMs) {
        if (nowMs - lastLookMs < minGapMs) return Optional.empty();
        Set<Integer> batch = new LinkedHashSet<>();
        Set<Integer> first = new LinkedHashSet<>();
        Iterator<Map.Entry<Integer, Long>> it = pending.entrySet().iterator();
        while (it.hasNext() && batch.size() < maxPidsPerLook) {
            Map.Entry<Integer, Long> e = it.next();
            if (nowMs - e.getValue() < settleMs) continue;
            batch.add(e.getKey());
            first.add(e.getKey());
            it.remove();
        }
        List<long[]> next = new ArrayList<>();
        while (!followUps.isEmpty() && followUps.peek()[0] <= nowMs && batch.size() < maxPidsPerLook) {
            long[] f = followUps.poll();
            int pid = (int) f[1];
            if (pending.containsKey(pid) || !batch.add(pid)) continue; // exec'd again: its first look is still to come
            int n = (int) f[2] + 1;
            if (n < followUpMs.length) next.add(new long[] {f[3] + followUpMs[n], pid, n, f[3]});
        }
        if (batch.isEmpty()) return Optional.empty();
        lastLookMs = nowMs;
        if (followUpMs.length > 0) {
            for (int pid : first) next.add(new long[] {nowMs + followUpMs[0], pid, 0, nowMs});
        }
        for (long[] f : next) {
            if (followUps.size() >= maxPending) {
                dropped++;
                continue;
            }
            followUps.add(f);
        }
        return Optional.of(batch);
    }

    /** Whether anything waits (a first look or a follow-up). */
    boolean hasWork() {
        return !pending.isEmpty() || !followUps.isEmpty();
    }

    long execs() {
        return execs;
    }

    long dropped() {
        return dropped;
    }

    long coalesced() {
        return coalesced;
    }
}
