package io.assay.agent.cli;

import io.assay.agent.config.ConfigException;
import io.assay.agent.enroll.EnrollException;
import io.assay.agent.report.AgentInfo;
import io.assay.agent.spool.SpoolException;
import io.assay.agent.state.NotEnrolledException;
import io.assay.agent.state.StateException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code assay-agent}: the host daemon's command line. Expected failures print one paragraph
 * (what, why, what to do) and exit with a meaningful code (see {@link ExitCodes}); only bugs
 * print a stack trace.
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

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AgentMain());
        cl.setExitCodeExceptionMapper(AgentMain::exitCodeOf);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            int code = exitCodeOf(e);
            if (code == ExitCodes.FAILURE && !isExpected(e)) {
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
        if (e instanceof ConfigException) return ExitCodes.USAGE;
        if (e instanceof NotEnrolledException) return ExitCodes.NOT_ENROLLED;
        if (e instanceof EnrollException ee) return ee.isUsage() ? ExitCodes.USAGE : ExitCodes.FAILURE;
        if (e instanceof CommandLine.ParameterException) return ExitCodes.USAGE;
        return ExitCodes.FAILURE;
    }

    private static boolean isExpected(Throwable e) {
        return e instanceof EnrollException || e instanceof StateException || e instanceof SpoolException;
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
