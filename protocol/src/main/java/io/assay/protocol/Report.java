package io.assay.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one agent says about one window of time on its host. Reports of a host form a chain:
 * {@code seq} counts 1, 2, 3... and {@code prev} is the SHA-256 (lowercase hex) of the previous
 * report's exact payload bytes, empty for seq 1. The agent signs the payload bytes of this record
 * (see {@link Envelopes}); the collector stores those bytes verbatim.
 *
 * @param formatVersion wire format version; readers reject versions they do not know
 * @param agentStartedMs when the agent process that wrote this report started (epoch ms): a
 *     change between consecutive reports is a restart, visible to the auditor
 * @param rulesHash SHA-256 of the detection rules in force
 * @param allowlistHash SHA-256 of the operator allowlist in force ("" when there is none)
 * @param notes why the report is degraded, what was shed; empty when there is nothing to say
 * @param hardware GPUs, ASIC miners and energy of the window; {@link Hardware#NONE} in reports of
 *     agents before it (the field is then absent from the JSON)
 * @param events lifecycle and chain events this report records (see {@link ReportEvent}); empty
 *     for an ordinary window report, and when absent (reports of agents before events existed)
 * @param addresses the host's IP addresses during the window (canonical text, loopback and
 *     link-local left out), so the collector knows which host held which address when; empty
 *     when the agent did not say (older agents, gap reports)
 */
public record Report(
        int formatVersion,
        String hostId,
        long seq,
        String prev,
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
        List<ReportEvent> events,
        List<String> addresses) {

    public static final int FORMAT_VERSION = 1;
    /** The DSSE payload type of a report. */
    public static final String PAYLOAD_TYPE = "application/vnd.assay.report.v1+json";

    public Report {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unknown report formatVersion " + formatVersion
                    + "; this build reads version " + FORMAT_VERSION);
        }
        requireNonNull(hostId, "hostId");
        if (hostId.isBlank()) throw new IllegalArgumentException("hostId must not be blank");
        if (seq < 1) throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        requireNonNull(prev, "prev");
        if (seq == 1 && !prev.isEmpty()) {
            throw new IllegalArgumentException("prev must be empty for seq 1");
        }
        if (seq > 1 && !Hashes.isSha256Hex(prev)) {
            throw new IllegalArgumentException("prev must be 64 lowercase hex characters for seq " + seq);
        }
        if (windowEndMs < windowStartMs) {
            throw new IllegalArgumentException("windowEndMs " + windowEndMs + " is before windowStartMs " + windowStartMs);
        }
        requireNonNull(agentVersion, "agentVersion");
        requireNonNull(rulesHash, "rulesHash");
        requireNonNull(allowlistHash, "allowlistHash");
        requireNonNull(load, "load");
        topProcesses = List.copyOf(requireNonNull(topProcesses, "topProcesses"));
        findings = List.copyOf(requireNonNull(findings, "findings"));
        requireNonNull(verdict, "verdict");
        notes = List.copyOf(requireNonNull(notes, "notes"));
        hardware = hardware == null ? Hardware.NONE : hardware;
        events = events == null ? List.of() : List.copyOf(events);
        // Absent in reports of agents that predate it: read as "not said", never refused.
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }

    /** A window report without hardware section, events or addresses (the shape agents before them wrote). */
    public Report(int formatVersion, String hostId, long seq, String prev, long windowStartMs, long windowEndMs,
            String agentVersion, long agentStartedMs, String rulesHash, String allowlistHash, LoadSummary load,
            List<ProcessSample> topProcesses, List<Finding> findings, Verdict verdict, List<String> notes) {
        this(formatVersion, hostId, seq, prev, windowStartMs, windowEndMs, agentVersion, agentStartedMs, rulesHash,
                allowlistHash, load, topProcesses, findings, verdict, notes, Hardware.NONE, List.of(), List.of());
    }

    /** This report at another place in the chain (a new epoch, or after a fold or a quarantined report). */
    public Report withChainPosition(long newSeq, String newPrev) {
        return new Report(formatVersion, hostId, newSeq, newPrev, windowStartMs, windowEndMs, agentVersion,
                agentStartedMs, rulesHash, allowlistHash, load, topProcesses, findings, verdict, notes, hardware, events,
                addresses);
    }

    /** True when this report records events rather than a window of observations (see {@link ReportEvent}). */
    public boolean isEventReport() {
        return !events.isEmpty();
    }
}
