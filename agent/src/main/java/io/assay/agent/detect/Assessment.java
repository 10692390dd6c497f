package io.assay.agent.detect;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.Verdict;
import java.util.List;

/**
 * A detector's judgement of one window: the verdict, the evidence behind it, notes (why degraded),
 * and what the window saw of GPUs, ASIC miners and energy.
 */
public record Assessment(Verdict verdict, List<Finding> findings, List<String> notes, Hardware hardware) {
    public Assessment {
        requireNonNull(verdict, "verdict");
        findings = List.copyOf(requireNonNull(findings, "findings"));
        notes = List.copyOf(requireNonNull(notes, "notes"));
        requireNonNull(hardware, "hardware");
    }

    /** A judgement without hardware observations. */
    public Assessment(Verdict verdict, List<Finding> findings, List<String> notes) {
        this(verdict, findings, notes, Hardware.NONE);
    }

    public Assessment withHardware(Hardware h) {
        return new Assessment(verdict, findings, notes, h);
    }
}
