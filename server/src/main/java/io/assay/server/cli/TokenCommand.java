package io.assay.server.cli;

import io.assay.server.auth.Tokens;
import io.assay.server.store.FleetTables;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server token create|list}: manages bearer tokens in the database. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create or list bearer tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class})
final class TokenCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    ServerMain main;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use 'token create' or 'token list'.");
    }

    static Store open(DatabaseOptions options, ServerMain main) {
        return options.resolve(main.env()).open(Duration.ofSeconds(10), 1);
    }

    private static Store open(DatabaseOptions options, TokenCommand parent) {
        return options.resolve(parent.main.env()).open(Duration.ofSeconds(10), 1);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token and print it on stdout (only the token, so scripts can capture it)."
                    + " It is shown once; only its SHA-256 is stored.")
    static final class Create implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "enroll (hosts enroll with it), auditor (read-only), operator (its own fleet) or admin.")
        String role;

        @Option(names = "--operator", paramLabel = "NAME",
                description = "Limit the token to this operator's hosts (repeatable). An enroll token puts the hosts it"
                        + " enrolls under the first one; an operator token without any sees the default operator only.")
        List<String> operators = new java.util.ArrayList<>();

        @Option(names = "--group", paramLabel = "GROUP",
                description = "Group (site, rack, tag such as site=bj1) given to hosts enrolled with this token (repeatable).")
        List<String> groups = new java.util.ArrayList<>();

        @CommandLine.Mixin
        DatabaseOptions database;

        @CommandLine.ParentCommand
        TokenCommand parent;

        @Option(names = "--note", paramLabel = "TEXT", defaultValue = "",
                description = "What the token is for, shown by 'token list'.")
        String note;

        @Override
        public Integer call() {
            Role r;
            try {
                r = Role.parse(role);
            } catch (IllegalArgumentException e) {
                r = Role.HOST;
            }
            if (r == Role.HOST) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--role must be enroll, auditor, operator or admin, was \""
                        + role + "\" (host tokens come from enrollment).");
            }
            Role chosen = r;
            Tokens tokens = new Tokens(new SecureRandom());
            String token;
            try (Store store = open(database, parent)) {
                token = store.inTransaction(tx -> {
                    String t = tokens.issue(tx, chosen, Optional.empty(), note, Clock.systemUTC().instant());
                    if (!operators.isEmpty() || !groups.isEmpty()) {
                        tx.fleet().putScope(Tokens.hash(t), new FleetTables.TokenScope(operators, groups));
                    }
                    return t;
                });
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(token);
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens: role, host, created, note (never secrets).")
    static final class ListTokens implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        DatabaseOptions database;

        @CommandLine.ParentCommand
        TokenCommand parent;

        @Override
        public Integer call() {
            List<TokenRecord> tokens;
            try (Store store = open(database, parent)) {
                tokens = store.read(Store.ReadTx::listTokens);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-8s %-20s %-24s %s%n", "ROLE", "HOST", "CREATED", "NOTE");
            for (TokenRecord t : tokens) {
                out.printf("%-8s %-20s %-24s %s%n", t.role().wireName(), t.hostId().orElse("-"), t.createdAt(), t.note());
            }
            out.flush();
            return 0;
        }
    }
}
