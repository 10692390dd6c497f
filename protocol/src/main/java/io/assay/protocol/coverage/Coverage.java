package io.assay.protocol.coverage;

import io.assay.protocol.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The coverage of one host over one period: covered intervals with their verdicts, and gaps with
 * their reasons. Times are epoch ms, intervals half-open {@code [from, to)}.
 *
 * <p>Where reports overlap, the worst verdict wins (MINING, then SUSPECT, then DEGRADED, then
 * CLEAN): overlapping a clean report never hides a finding. Uncovered time after enrollment is a
 * gap whose reason comes from a lifecycle entry that marks it, else from the reports around it:
 * the next one not linked to its predecessor means the chain is broken; a different
 * {@code agentStartedMs} on the two sides means the agent restarted; otherwise it was silent.
 */
public record Coverage(long fromMs, long toMs, long coveredMs, Map<Verdict, Long> msByVerdict, List<Covered> covered,
        List<Gap> gaps) {

    /** Consecutive time under one verdict, from the reports with seq {@code firstSeq..lastSeq}. */
    public record Covered(long fromMs, long toMs, Verdict verdict, long firstSeq, long lastSeq) {}

    /** Time with no valid report, and why. */
    public record Gap(long fromMs, long toMs, GapReason reason) {}

    public Coverage {
        msByVerdict = Map.copyOf(msByVerdict);
        covered = List.copyOf(covered);
        gaps = List.copyOf(gaps);
    }

    public boolean isComplete() {
        return gaps.isEmpty();
    }

    private static int severity(Verdict v) {
        return switch (v) {
            case CLEAN -> 0;
            case DEGRADED -> 1;
            case SUSPECT -> 2;
            case MINING -> 3;
        };
    }

    /** Computes coverage; O(n log n) in the number of entries. */
    public static Coverage compute(CoverageInput in) {
        long from = in.fromMs();
        long to = in.toMs();
        List<CoverageInput.Entry> covers = new ArrayList<>();
        List<CoverageInput.Entry> marks = new ArrayList<>();
        TreeSet<Long> points = new TreeSet<>(List.of(from, to));
        if (in.enrolledAtMs() > from && in.enrolledAtMs() < to) points.add(in.enrolledAtMs());
        for (CoverageInput.Entry e : in.entries()) {
            long s = Math.max(e.windowStartMs(), from);
            long t = Math.min(e.windowEndMs(), to);
            if (e.verdict().isPresent()) covers.add(e); else marks.add(e);
            if (s < t) {
                points.add(s);
                points.add(t);
            }
        }
        covers.sort(Comparator.comparingLong(CoverageInput.Entry::windowStartMs).thenComparingLong(CoverageInput.Entry::seq));
        List<CoverageInput.Entry> byEnd = new ArrayList<>(covers);
        byEnd.sort(Comparator.comparingLong(CoverageInput.Entry::windowEndMs).thenComparingLong(CoverageInput.Entry::seq));

        List<Segment> segments = new ArrayList<>();
        // Sweep: 'active' holds the covers containing the current segment.
        TreeSet<CoverageInput.Entry> active = new TreeSet<>(Comparator
                .comparingInt((CoverageInput.Entry e) -> severity(e.verdict().orElseThrow()))
                .thenComparingLong(CoverageInput.Entry::seq));
        int nextStart = 0;
        int nextEnd = 0;
        Long prev = null;
        for (long p : points) {
            if (prev != null) segments.add(classify(in, prev, p, active, covers, byEnd, nextStart, nextEnd, marks));
            while (nextEnd < byEnd.size() && byEnd.get(nextEnd).windowEndMs() <= p) active.remove(byEnd.get(nextEnd++));
            while (nextStart < covers.size() && covers.get(nextStart).windowStartMs() <= p) {
                CoverageInput.Entry e = covers.get(nextStart++);
                if (e.windowEndMs() > p) active.add(e);
            }
            prev = p;
        }
        return merge(in, segments);
    }

    /** One elementary stretch: covered (verdict, seq) or a gap (reason). */
    private record Segment(long from, long to, Verdict verdict, long seq, long lastSeq, GapReason reason) {}

    private static Segment classify(CoverageInput in, long s, long t, TreeSet<CoverageInput.Entry> active,
            List<CoverageInput.Entry> covers, List<CoverageInput.Entry> byEnd, int nextStart, int nextEnd,
            List<CoverageInput.Entry> marks) {
        if (t <= in.enrolledAtMs()) return new Segment(s, t, null, 0, 0, GapReason.NOT_ENROLLED);
        if (!active.isEmpty()) {
            CoverageInput.Entry worst = active.last();
            return new Segment(s, t, worst.verdict().orElseThrow(), worst.seq(), worst.lastSeq(), null);
        }
        for (CoverageInput.Entry m : marks) {
            if (m.windowStartMs() <= s && m.windowEndMs() >= t) return new Segment(s, t, null, 0, 0, m.marksGap().orElseThrow());
        }
        // The reports around the gap: the last to end before it, the first to start after it.
        CoverageInput.Entry before = nextEnd > 0 ? byEnd.get(nextEnd - 1) : null;
        CoverageInput.Entry after = nextStart < covers.size() ? covers.get(nextStart) : null;
        if (before != null && after != null && t - s <= in.slackMs()
                && before.agentStartedMs() == after.agentStartedMs() && after.linked()) {
            return new Segment(s, t, before.verdict().orElseThrow(), before.seq(), before.lastSeq(), null);
        }
        GapReason reason = GapReason.AGENT_SILENT;
        if (after != null && !after.linked()) reason = GapReason.CHAIN_BROKEN;
        else if (after != null && before != null && after.agentStartedMs() != before.agentStartedMs()) {
            reason = GapReason.AGENT_RESTARTED;
        }
        return new Segment(s, t, null, 0, 0, reason);
    }

    private static Coverage merge(CoverageInput in, List<Segment> segments) {
        List<Covered> covered = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        Map<Verdict, Long> ms = new EnumMap<>(Verdict.class);
        long total = 0;
        for (Segment g : segments) {
            if (g.verdict() != null) {
                total += g.to() - g.from();
                ms.merge(g.verdict(), g.to() - g.from(), Long::sum);
                Covered last = covered.isEmpty() ? null : covered.get(covered.size() - 1);
                if (last != null && last.toMs() == g.from() && last.verdict() == g.verdict()) {
                    covered.set(covered.size() - 1, new Covered(last.fromMs(), g.to(), last.verdict(),
                            Math.min(last.firstSeq(), g.seq()), Math.max(last.lastSeq(), g.lastSeq())));
                } else {
                    covered.add(new Covered(g.from(), g.to(), g.verdict(), g.seq(), g.lastSeq()));
                }
            } else {
                Gap last = gaps.isEmpty() ? null : gaps.get(gaps.size() - 1);
                if (last != null && last.toMs() == g.from() && last.reason() == g.reason()) {
                    gaps.set(gaps.size() - 1, new Gap(last.fromMs(), g.to(), last.reason()));
                } else {
                    gaps.add(new Gap(g.from(), g.to(), g.reason()));
                }
            }
        }
        return new Coverage(in.fromMs(), in.toMs(), total, ms, covered, gaps);
    }
}
