package io.assay.agent.report;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.ProcessSample;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import java.util.List;

/**
 * A finished window: everything of a {@link Report} except its place in the host's chain
 * (host id, seq, prev), which only the spool may assign.
 */
public record ReportDraft(
        long windowStartMs,
        long windowEndMs,
        String agentVersion,
        long agentStartedMs,
        String rulesHash,
        String allowlistHash,
        LoadSummary load,
        List<ProcessSample> topProcesses,
        List<Finding> findings,
        Verdict verdict,
        List<String> notes,
        Hardware hardware,
        List<String> addresses) {

    public ReportDraft {
        if (windowEndMs < windowStartMs) {
            throw new IllegalArgumentException("window ends (" + windowEndMs + ") before it starts (" + windowStartMs + ")");
        }
        requireNonNull(agentVersion, "agentVersion");
        requireNonNull(rulesHash, "rulesHash");
        requireNonNull(allowlistHash, "allowlistHash");
        requireNonNull(load, "load");
        topProcesses = List.copyOf(requireNonNull(topProcesses, "topProcesses"));
        findings = List.copyOf(requireNonNull(findings, "findings"));
        requireNonNull(verdict, "verdict");
        notes = List.copyOf(requireNonNull(notes, "notes"));
        requireNonNull(hardware, "hardware");
        addresses = List.copyOf(requireNonNull(addresses, "addresses"));
    }

    /** A draft without hardware observations or addresses (gaps the spool records, tests). */
    public ReportDraft(long windowStartMs, long windowEndMs, String agentVersion, long agentStartedMs, String rulesHash,
            String allowlistHash, LoadSummary load, List<ProcessSample> topProcesses, List<Finding> findings, Verdict verdict,
            List<String> notes) {
        this(windowStartMs, windowEndMs, agentVersion, agentStartedMs, rulesHash, allowlistHash, load, topProcesses, findings,
                verdict, notes, Hardware.NONE, List.of());
    }

    public Report toReport(String hostId, long seq, String prev) {
        return new Report(Report.FORMAT_VERSION, hostId, seq, prev, windowStartMs, windowEndMs, agentVersion,
                agentStartedMs, rulesHash, allowlistHash, load, topProcesses, findings, verdict, notes, hardware, List.of(),
                addresses);
    }
}
