package io.assay.agent.cli;

import java.util.Optional;

/**
 * The jar's entry point. {@code run} (the daemon) is started here without picocli, so that the
 * long-running process never loads it: a class that merely refers to picocli's types, as
 * {@link AgentMain} does, pulls picocli's classes in when the JVM verifies it. Every other command
 * line, {@code run --help} among them, goes to {@link AgentMain#execute}.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        Optional<RunCommand> run = RunCommand.parsePlain(args);
        System.exit(run.isPresent() ? runDaemon(run.get()) : AgentMain.execute(args));
    }

    /** {@code run} as picocli would run it: the same exit codes, one paragraph or a stack trace. */
    static int runDaemon(RunCommand run) {
        try {
            return run.call();
        } catch (Exception e) {
            int code = ExitCodes.of(e);
            if (code == ExitCodes.FAILURE && !ExitCodes.isExpected(e)) {
                e.printStackTrace();
            } else {
                System.err.println(e.getMessage());
            }
            System.err.flush();
            return code;
        }
    }
}
