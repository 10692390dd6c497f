package io.assay.protocol.coverage;

import java.util.Locale;

/** Why part of a period has no valid report. */
public enum GapReason {
    /** Before the host was enrolled. */
    NOT_ENROLLED,
    /** No report, and the reports around it continue one agent run: the agent said nothing. */
    AGENT_SILENT,
    /** The report after the gap does not continue the chain (seq skipped or prev mismatch). */
    CHAIN_BROKEN,
    /** The agent process changed across the gap (agentStartedMs differs): restarted, data possibly shed. */
    AGENT_RESTARTED,
    /** The agent reported it stopped cleanly (a lifecycle report marks the interval). */
    AGENT_STOPPED,
    /** The agent found on start that its previous run crashed (a lifecycle report marks the interval). */
    AGENT_CRASHED,
    /** The agent dropped samples of this interval (full disk, backlog) and said so in a signed report. */
    SHED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
