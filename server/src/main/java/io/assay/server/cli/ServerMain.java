package io.assay.server.cli;

import io.assay.server.ConfigException;
import io.assay.server.bench.BenchHistoryCommand;
import io.assay.server.bench.BenchIngestCommand;
import io.assay.server.store.StoreException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code assay-server}. Expected failures print one paragraph and exit 1; usage
 * errors print the usage and exit 2; anything else is a bug and prints its stack trace.
 */
@Command(name = "assay-server", mixinStandardHelpOptions = true, versionProvider = ServerMain.Version.class,
        description = "The Assay collector: enrolls hosts, verifies and stores their signed reports, serves auditors.",
        subcommands = {ServeCommand.class, TokenCommand.class, BenchIngestCommand.class, BenchHistoryCommand.class, io.assay.server.bench.BenchFleetCommand.class,
                TlsCommand.class, EvidenceCommand.class, LogCommand.class, WitnessCommand.class, PledgeCommand.class,
                ReportCommand.class, IpCheckCommand.class})
public final class ServerMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    private ServerMain(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The environment the command reads (the process's own, or a test's). */
    Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use serve, token, tls or bench-ingest.");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code, without exiting (tests call this). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /** The command line with {@code env} in place of the process environment (tests). */
    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new ServerMain(env));
        cl.setExecutionExceptionHandler(ServerMain::handle);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof CliException || e instanceof StoreException || e instanceof io.assay.server.tls.TlsException) {
            err.println("assay-server: " + e.getMessage());
            err.flush();
            return 1;
        }
        if (e instanceof ConfigException c) {
            err.println("assay-server: invalid configuration:");
            c.problems().forEach(p -> err.println("  " + p));
            err.flush();
            return 2;
        }
        err.println("assay-server: unexpected failure (a bug; please report it with this trace):");
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ServerMain.class.getPackage().getImplementationVersion();
            return new String[] {"assay-server " + (v == null ? "(development build)" : v)};
        }
    }
}
