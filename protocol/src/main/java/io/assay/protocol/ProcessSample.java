package io.assay.protocol;

import static java.util.Objects.requireNonNull;

/**
 * One process as the agent saw it in a window. Absent text fields are empty strings, never null.
 *
 * @param cpuPercent share of one core over the window (100 = one core fully busy; may exceed 100)
 * @param startTimeMs process start, epoch milliseconds UTC (0 when unknown)
 * @param exeSha256 lowercase hex SHA-256 of the executable, or "" when it could not be read
 */
public record ProcessSample(
        int pid,
        String name,
        String exePath,
        String commandLine,
        String user,
        double cpuPercent,
        long rssBytes,
        long startTimeMs,
        String exeSha256) {

    /** Command lines longer than this are cut; the cut is marked with a trailing "…". */
    public static final int MAX_COMMAND_LINE_CHARS = 1024;

    public ProcessSample {
        requireNonNull(name, "name");
        requireNonNull(exePath, "exePath");
        requireNonNull(commandLine, "commandLine");
        requireNonNull(user, "user");
        requireNonNull(exeSha256, "exeSha256");
        if (commandLine.length() > MAX_COMMAND_LINE_CHARS + 1) {
            throw new IllegalArgumentException("commandLine longer than " + MAX_COMMAND_LINE_CHARS
                    + " chars; cut it with ProcessSample.cutCommandLine");
        }
    }

    /** Cuts a command line to the wire bound, marking the cut. */
    public static String cutCommandLine(String commandLine) {
        if (commandLine.length() <= MAX_COMMAND_LINE_CHARS) return commandLine;
        return commandLine.substring(0, MAX_COMMAND_LINE_CHARS) + "…";
    }
}
