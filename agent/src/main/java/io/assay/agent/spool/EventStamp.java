package io.assay.agent.spool;

import static java.util.Objects.requireNonNull;

/**
 * Who writes the spool's own event reports (lifecycle, gaps, summaries): the same agent fields a
 * window report carries, so an event report reads like any other report of this agent run.
 */
public record EventStamp(String agentVersion, long agentStartedMs, String rulesHash, String allowlistHash) {
    public EventStamp {
        requireNonNull(agentVersion, "agentVersion");
        requireNonNull(rulesHash, "rulesHash");
        requireNonNull(allowlistHash, "allowlistHash");
    }
}
