package io.assay.server.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import io.assay.server.fleet.Scope;
import io.assay.server.ipcheck.IpChecks;
import io.assay.server.ipcheck.IpQuery;
import io.assay.server.report.ComplianceReports;
import io.assay.server.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code assay-server ip-check FILE}: answers a regulator's address list from the database, as JSON on stdout. */
@Command(name = "ip-check", mixinStandardHelpOptions = true,
        description = "Check a list of IP addresses (one ADDR|CIDR[,FROM,TO] per line, or CSV) against the hosts that"
                + " held them. Prints {\"results\": [...]} as JSON. Exit 0 answered, 1 bad list or unreadable file, 2 usage.")
final class IpCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    ServerMain main;

    @CommandLine.Mixin
    DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "FILE", description = "The list (UTF-8 text or CSV).")
    Path file;

    @Override
    public Integer call() {
        List<IpQuery> queries;
        try {
            queries = IpQuery.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        } catch (IpQuery.BadListException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
        JsonArray results;
        try (Store store = TokenCommand.open(database, main)) {
            Clock clock = Clock.systemUTC();
            results = new IpChecks(store, new ComplianceReports(store, clock))
                    .check(queries, Scope.ALL);
        }
        com.google.gson.JsonObject body = new com.google.gson.JsonObject();
        body.add("results", results);
        PrintWriter out = spec.commandLine().getOut();
        out.println(new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create().toJson(body));
        out.flush();
        return 0;
    }
}
