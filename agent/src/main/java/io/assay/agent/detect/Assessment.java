package io.assay.agent.detect;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.util.List;

/** A detector's judgement of one window: the verdict, the evidence behind it, and notes (why degraded). */
public record Assessment(Verdict verdict, List<Finding> findings, List<String> notes) {
    public Assessment {
        requireNonNull(verdict, "verdict");
        findings = List.copyOf(requireNonNull(findings, "findings"));
        notes = List.copyOf(requireNonNull(notes, "notes"));
    }
}
