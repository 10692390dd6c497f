package io.assay.server.cli;

import io.assay.protocol.ProtocolException;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.server.ServerConfig;
import io.assay.server.log.LogKeyFile;
import io.assay.server.log.WitnessServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server witness}: runs a c2sp.org/tlog-witness witness for one or more logs. */
@Command(name = "witness", mixinStandardHelpOptions = true,
        description = "Run a transparency-log witness (c2sp.org/tlog-witness, POST /add-checkpoint) that cosigns the"
                + " checkpoints of the given logs and never cosigns a fork or a shrunk log, also across restarts."
                + " Runs until stopped; exit 1 if it cannot start.")
final class WitnessCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8441",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--key", required = true, paramLabel = "FILE",
            description = "The witness's cosigning key file; created (mode 0600) if missing, named after --name.")
    Path keyFile;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The witness's key name when the key file is created (default: assay-witness/<hostname>).")
    String name;

    @Option(names = "--state", required = true, paramLabel = "DIR",
            description = "Directory holding the newest cosigned checkpoint of each log; must exist. Losing it lets"
                    + " the witness be fooled once: keep it like a database.")
    Path stateDir;

    @Option(names = "--log-key", required = true, paramLabel = "KEY",
            description = "A log's note verifier key (from 'assay-server log key'); repeatable.")
    List<String> logKeys = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        List<NoteVerifierKey> keys = new ArrayList<>();
        for (String k : logKeys) {
            try {
                keys.add(NoteVerifierKey.parse(k));
            } catch (ProtocolException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--log-key " + k + ": " + e.getMessage());
            }
        }
        if (!Files.isDirectory(stateDir)) {
            throw new CliException("--state " + stateDir + " is not a directory; create it (mkdir -p) and start again.");
        }
        NoteSigner key;
        try {
            key = LogKeyFile.loadOrCreate(keyFile, name != null ? name : defaultName(), NoteVerifierKey.COSIGNATURE_V1);
        } catch (RuntimeException e) {
            throw new CliException("Cannot use witness key " + keyFile + ": " + e.getMessage());
        }
        WitnessServer server;
        try {
            server = WitnessServer.start(ServerConfig.parseListen(listen), key, keys, stateDir, Clock.systemUTC());
        } catch (IOException e) {
            throw new CliException("Cannot start the witness on " + listen + ": " + e.getMessage());
        }
        spec.commandLine().getOut().println(key.verifierKey().encode());
        spec.commandLine().getOut().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "assay-witness-shutdown"));
        stopped.await();
        return 0;
    }

    private static String defaultName() {
        try {
            return "assay-witness/" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "assay-witness/local";
        }
    }
}
