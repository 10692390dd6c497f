package io.assay.server.cli;

import io.assay.server.fleet.Pledges;
import io.assay.server.fleet.Scope;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.Store;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server pledge create|list}: pledges in the database (as an admin would through the API). */
@Command(name = "pledge", mixinStandardHelpOptions = true, description = "Create or list pledges.",
        subcommands = {PledgeCommand.Create.class, PledgeCommand.ListPledges.class})
final class PledgeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    ServerMain main;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use 'pledge create' or 'pledge list'.");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a pledge and print its id on stdout. Exit 0 created, 1 refused (reason on stderr), 2 usage.")
    static final class Create implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ParentCommand
        PledgeCommand parent;

        @CommandLine.Mixin
        DatabaseOptions database;

        @Option(names = "--name", required = true, paramLabel = "TEXT", description = "Name of the pledge.")
        String name;

        @Option(names = "--host", paramLabel = "ID", description = "A host the pledge covers (repeatable).")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--group", paramLabel = "GROUP", description = "A group whose hosts the pledge covers (repeatable).")
        List<String> groups = new ArrayList<>();

        @Option(names = "--from", required = true, paramLabel = "INSTANT", description = "Start, ISO-8601 (2026-01-01T00:00:00Z).")
        String from;

        @Option(names = "--to", required = true, paramLabel = "INSTANT", description = "End (exclusive), ISO-8601.")
        String to;

        @Option(names = "--text", paramLabel = "TEXT", defaultValue = "",
                description = "The pledge's text or a reference to the signed document.")
        String text;

        @Option(names = "--operator", paramLabel = "NAME", description = "Operator the pledge is for (default: default).")
        String operator;

        @Override
        public Integer call() {
            Instant f = instant("--from", from);
            Instant t = instant("--to", to);
            Pledge p;
            try (Store store = TokenCommand.open(database, parent.main)) {
                p = new Pledges(store, Clock.systemUTC(), new SecureRandom()).create(
                        new Pledges.Request(name, hosts, groups, f, t, text, Optional.ofNullable(operator)), Scope.ALL);
            } catch (Pledges.RefusedException e) {
                throw new CliException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(p.id());
            out.flush();
            return 0;
        }

        private Instant instant(String option, String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " is \"" + text
                        + "\", not an ISO-8601 instant such as 2026-01-01T00:00:00Z.");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List pledges: id, operator, period, name.")
    static final class ListPledges implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ParentCommand
        PledgeCommand parent;

        @CommandLine.Mixin
        DatabaseOptions database;

        @Override
        public Integer call() {
            List<Pledge> pledges;
            try (Store store = TokenCommand.open(database, parent.main)) {
                pledges = store.read(tx -> tx.fleet().listPledges());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-16s %-12s %-22s %-22s %s%n", "ID", "OPERATOR", "FROM", "TO", "NAME");
            for (Pledge p : pledges) {
                out.printf("%-16s %-12s %-22s %-22s %s%n", p.id(), p.operator(), p.from(), p.to(), p.name());
            }
            out.flush();
            return 0;
        }
    }
}
