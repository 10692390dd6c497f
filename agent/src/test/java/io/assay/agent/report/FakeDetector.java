package io.assay.agent.report;

import io.assay.agent.detect.Assessment;
import io.assay.agent.detect.Detector;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/** A {@link Detector} whose answers the test sets: urgent findings per tick and the window's assessment. */
public final class FakeDetector implements Detector {
    public static final String RULES_HASH = "a".repeat(64);

    private final Deque<List<Finding>> urgent = new ArrayDeque<>();
    private Assessment assessment = new Assessment(Verdict.CLEAN, List.of(), List.of());
    public final List<Instant> observed = new ArrayList<>();
    public final List<Instant> closed = new ArrayList<>();
    public final List<Set<Integer>> lookedAt = new ArrayList<>();
    public RuntimeException failObserve;

    /** The next observe() or observeNew() returns {@code findings}. */
    public FakeDetector urgentNext(List<Finding> findings) {
        urgent.add(findings);
        return this;
    }

    public FakeDetector assess(Assessment a) {
        this.assessment = a;
        return this;
    }

    @Override
    public List<Finding> observe(Instant now) {
        observed.add(now);
        if (failObserve != null) throw failObserve;
        List<Finding> f = urgent.poll();
        return f == null ? List.of() : f;
    }

    @Override
    public List<Finding> observeNew(Instant now, Set<Integer> pids) {
        lookedAt.add(Set.copyOf(pids));
        List<Finding> f = urgent.poll();
        return f == null ? List.of() : f;
    }

    @Override
    public Assessment closeWindow(Instant now) {
        closed.add(now);
        return assessment;
    }

    @Override
    public String rulesHash() {
        return RULES_HASH;
    }

    @Override
    public String allowlistHash() {
        return "";
    }

    public static Finding signatureFinding(int pid) {
        return new Finding("sig.cmdline.stratum-url", Finding.Kind.SIGNATURE, "xmrig-like command line", pid, "xmrig",
                "/tmp/xmrig", "", "nobody", List.of("stratum+tcp://pool.example:3333"), 0, "");
    }
}
