package io.assay.agent.sample;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.ProcessSample;

/**
 * One process at one sample. Absent text is "".
 *
 * @param cpuPercent share of one core since the previous sample (100 = one core busy; may exceed 100)
 * @param startTimeMs process start, epoch ms (0 when unknown); with {@code pid} it names the process
 */
public record ProcessObservation(
        int pid, String name, String exePath, String commandLine, String user,
        double cpuPercent, long rssBytes, long startTimeMs) {

    public ProcessObservation {
        requireNonNull(name, "name");
        requireNonNull(exePath, "exePath");
        requireNonNull(user, "user");
        commandLine = ProcessSample.cutCommandLine(requireNonNull(commandLine, "commandLine"));
        if (!(cpuPercent >= 0)) cpuPercent = 0;
    }

    /** Identifies a process across samples: pids are reused, (pid, start time) are not. */
    public long identity() {
        return (startTimeMs << 22) ^ pid;
    }
}
