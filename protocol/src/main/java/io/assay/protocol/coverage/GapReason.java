package io.assay.protocol.coverage;

import io.assay.protocol.ReportEvent;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

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
    SHED,
    /** Reports of this interval were lost (an unreadable spooled report, a corrupt spool) and the agent said so. */
    REPORTS_LOST;

    /**
     * The gap a lifecycle report marks over its window, if any. A crash, a clean stop, shed windows
     * and lost reports say the agent did not watch the host then, so their window is a gap with that
     * reason, never time covered (their verdict is DEGRADED only so that no reader takes it as clean).
     * Start, config, epoch and summary reports mark nothing.
     */
    public static Optional<GapReason> markedBy(Collection<ReportEvent> events) {
        for (ReportEvent e : events) {
            switch (e.kind()) {
                case CRASH: return Optional.of(AGENT_CRASHED);
                case STOP: return Optional.of(AGENT_STOPPED);
                case SHED: return Optional.of(SHED);
                case GAP: return Optional.of(REPORTS_LOST);
                default: break;
            }
        }
        return Optional.empty();
    }

    /** The reason with this wire name ({@link #wireName()}). */
    public static GapReason ofWireName(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
