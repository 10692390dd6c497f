package io.assay.agent.cli;

import io.assay.agent.report.AgentInfo;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code assay-agent}: the host daemon's command line. Expected failures print one paragraph
 * (what, why, what to do) and exit with a meaningful code (see {@link ExitCodes}); only bugs
 * print a stack trace. {@link Launcher} is the jar's entry point; it hands every command line but
 * the daemon's to {@link #execute}.
 */
@Command(name = "assay-agent",
        mixinStandardHelpOptions = true,
        versionProvider = AgentMain.Version.class,
        description = "Assay host agent: samples this host, signs chained reports, ships them to the collector.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:runtime failure", "2:usage or configuration error", "3:not enrolled", "75:run restarted itself (over its self-watch budget; systemd starts it again)"},
        subcommands = {
            EnrollCommand.class,
            RunCommand.class,
            StatusCommand.class,
            ScanCommand.class,
            RulesCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class AgentMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and returns its exit code ({@link Launcher#main} exits with it; tests call it directly). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AgentMain());
        cl.setExitCodeExceptionMapper(AgentMain::exitCodeOf);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            int code = exitCodeOf(e);
            if (code == ExitCodes.FAILURE && !ExitCodes.isExpected(e)) {
                e.printStackTrace(err);
            } else {
                err.println(e.getMessage());
            }
            err.flush();
            return code;
        });
        return cl;
    }

    static int exitCodeOf(Throwable e) {
        return e instanceof CommandLine.ParameterException ? ExitCodes.USAGE : ExitCodes.of(e);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: use enroll, run or status"
                + " (assay-agent --help lists them).");
    }

    /** The version from the jar manifest, "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"assay-agent " + AgentInfo.current().version()};
        }
    }
}
