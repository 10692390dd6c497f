package io.assay.server.cli;

import io.assay.server.evidence.EvidenceExport;
import io.assay.server.http.RequestParams;
import io.assay.server.api.ApiException;
import io.assay.server.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server evidence export}: writes an evidence bundle from the database alone. */
@Command(name = "evidence", mixinStandardHelpOptions = true, description = "Export evidence bundles for assay-verify.",
        subcommands = {EvidenceCommand.Export.class})
final class EvidenceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    ServerMain main;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use 'evidence export'.");
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a host's evidence for a period (enrollment record, pinned key, every envelope byte"
                    + " for byte, inclusion proofs against the newest signed checkpoint, the log key) to one file."
                    + " Needs only the database; the collector may be running or not. Exit 0 written, 1 failed.")
    static final class Export implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        DatabaseOptions database;

        @CommandLine.ParentCommand
        EvidenceCommand parent;

        @Option(names = "--host", required = true, paramLabel = "ID", description = "The host id.")
        String host;

        @Option(names = "--from", paramLabel = "TIME",
                description = "Start of the period: ISO-8601 instant or epoch ms (default: the host's enrollment).")
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "End of the period, exclusive (default: now).")
        String to;

        @Option(names = "--consistency-with", paramLabel = "SIZE",
                description = "Tree size of a checkpoint the auditor saved: adds the consistency proof between it and"
                        + " the bundle's checkpoint (repeatable).")
        List<Long> consistencyWith = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The bundle file to write.")
        Path out;

        @Override
        public Integer call() throws IOException {
            long toMs;
            long fromMs;
            try {
                toMs = to == null ? Clock.systemUTC().millis() : RequestParams.parseTime("--to", to);
                fromMs = from == null ? Long.MIN_VALUE : RequestParams.parseTime("--from", from);
            } catch (ApiException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.problem().detail() + ".");
            }
            try (Store store = database.resolve(parent.main.env()).open(Duration.ofSeconds(10), 1)) {
                if (fromMs == Long.MIN_VALUE) {
                    fromMs = store.read(tx -> tx.findHost(host)).map(h -> h.enrolledAt().toEpochMilli()).orElse(toMs - 1);
                }
                if (fromMs >= toMs) throw new CliException("--from must be before --to.");
                EvidenceExport.Request request = new EvidenceExport.Request(host, fromMs, toMs, consistencyWith);
                try {
                    EvidenceExport.check(store, request);
                } catch (EvidenceExport.ExportException e) {
                    throw new CliException("Cannot export evidence: " + e.getMessage() + ".");
                }
                Path tmp = out.resolveSibling(out.getFileName() + ".part");
                EvidenceExport.Summary s;
                try (OutputStream os = Files.newOutputStream(tmp)) {
                    s = EvidenceExport.write(store, request, Clock.systemUTC().instant(), os);
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                PrintWriter w = spec.commandLine().getOut();
                w.printf("Wrote %s: %d reports of host %s, %d proven against checkpoint %d%s%n", out, s.reports(), host,
                        s.proven(), s.checkpointSize(), s.proven() < s.reports()
                                ? " (the rest are newer than that checkpoint; let the collector sign a newer one)" : "");
                w.flush();
                return 0;
            }
        }
    }
}
