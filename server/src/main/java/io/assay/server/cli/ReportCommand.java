package io.assay.server.cli;

import io.assay.server.report.ComplianceReport;
import io.assay.server.report.ComplianceReports;
import io.assay.server.report.ReportFormat;
import io.assay.server.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code assay-server report --pledge ID --format json|csv|pdf --out FILE}: the compliance report
 * of a pledge, from the database. It names the newest checkpoint the collector signed; it does
 * not sign one itself (that needs the log key, which only the running collector holds).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write the compliance report of a pledge. Exit 0 written, 1 no such pledge or cannot write, 2 usage.")
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    ServerMain main;

    @CommandLine.Mixin
    DatabaseOptions database;

    @Option(names = "--pledge", required = true, paramLabel = "ID", description = "The pledge (see 'pledge list').")
    String pledge;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", description = "json, csv or pdf (default: json).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the report (replaced atomically).")
    Path out;

    @Override
    public Integer call() {
        ReportFormat f;
        try {
            f = ReportFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage() + ".");
        }
        ComplianceReport report;
        try (Store store = TokenCommand.open(database, main)) {
            report = new ComplianceReports(store, Clock.systemUTC()).compute(pledge)
                    .orElseThrow(() -> new CliException("no pledge " + pledge + " in this database; 'assay-server pledge list' shows them."));
        }
        Path abs = out.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(abs.getParent(), ".report-", ".tmp");
            try (OutputStream o = Files.newOutputStream(tmp)) {
                f.write(report, o);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the report error below is what matters; a stray temp file is harmless
                }
            }
            throw new CliException("cannot write the report to " + out + ": " + e.getMessage());
        }
        spec.commandLine().getErr().printf("wrote %s report of pledge %s (%d hosts) to %s%n", f.extension(), pledge,
                report.hosts().size(), out);
        return 0;
    }
}
