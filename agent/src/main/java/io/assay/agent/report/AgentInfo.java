package io.assay.agent.report;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Who writes the reports: the agent's version and when this agent process started.
 *
 * @param version from the jar manifest's Implementation-Version, or "dev" when run from classes
 */
public record AgentInfo(String version, long startedMs) {
    public AgentInfo {
        requireNonNull(version, "version");
    }

    /** This process: its start time from the OS, its version from the jar manifest. */
    public static AgentInfo current() {
        String v = AgentInfo.class.getPackage().getImplementationVersion();
        long started = ProcessHandle.current().info().startInstant().orElse(Instant.now()).toEpochMilli();
        return new AgentInfo(v == null || v.isBlank() ? "dev" : v, started);
    }
}
