package io.assay.server.cli;

import io.assay.protocol.log.NoteVerifierKey;
import io.assay.server.log.LogKeyFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server log key}: prints the log's note verifier key. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "The transparency log.",
        subcommands = {LogCommand.Key.class})
final class LogCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use 'log key'.");
    }

    @Command(name = "key", mixinStandardHelpOptions = true,
            description = "Print the log's note verifier key (name+hash+key, the form Go's sumdb/note takes), for"
                    + " auditors and witnesses. Exit 0 printed, 1 no readable key file.")
    static final class Key implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--log-key", paramLabel = "FILE",
                description = "The log key file (default: assay.db.log-key, next to the default SQLite database).")
        Path keyFile = Path.of("assay.db.log-key");

        @Override
        public Integer call() {
            if (!Files.isRegularFile(keyFile)) {
                throw new CliException("No log key file at " + keyFile + ". The collector creates it at its first start;"
                        + " pass --log-key with its path.");
            }
            try {
                PrintWriter out = spec.commandLine().getOut();
                out.println(LogKeyFile.load(keyFile, NoteVerifierKey.ED25519).verifierKey().encode());
                out.flush();
            } catch (RuntimeException e) {
                throw new CliException("Cannot read the log key: " + e.getMessage());
            }
            return 0;
        }
    }
}
