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
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create, list or revoke bearer tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
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

        @Option(names = "--expires", paramLabel = "DURATION",
                description = "Enroll tokens: refused for enrollment after this long, e.g. 30m, 24h, 7d, or 'never'"
                        + " (default for enroll tokens: 7d; other roles: never).")
        String expires;

        @Option(names = "--uses", paramLabel = "N",
                description = "Enroll tokens: how many enrollments it allows (default: unlimited).")
        Long uses;

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
            if (uses != null && (chosen != Role.ENROLL || uses < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--uses applies to enroll tokens and must be"
                        + " at least 1.");
            }
            java.time.Instant now = Clock.systemUTC().instant();
            Optional<java.time.Instant> expiresAt;
            String e = expires != null ? expires : chosen == Role.ENROLL ? "7d" : "never";
            if (e.equals("never")) {
                expiresAt = Optional.empty();
            } else {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,5})([mhd])").matcher(e);
                if (!m.matches()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--expires \"" + e + "\" is not a"
                            + " duration like 30m, 24h or 7d, nor 'never'.");
                }
                long n = Long.parseLong(m.group(1));
                expiresAt = Optional.of(now.plus(switch (m.group(2)) {
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                }));
            }
            java.util.OptionalLong useCount = uses == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(uses);
            Tokens tokens = new Tokens(new SecureRandom());
            String token;
            try (Store store = open(database, parent)) {
                token = store.inTransaction(tx -> {
                    String t = tokens.issue(tx, chosen, Optional.empty(), note, now, expiresAt, useCount);
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

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a token, named by the start of its hash as 'token list' shows it (at least 8 hex"
                    + " digits). Revoked tokens are refused at once. Exit 0 revoked, 1 no such token or not unique.")
    static final class Revoke implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        DatabaseOptions database;

        @CommandLine.ParentCommand
        TokenCommand parent;

        @CommandLine.Parameters(paramLabel = "HASH-PREFIX", description = "The start of the token's hash ('token list').")
        String prefix;

        @Override
        public Integer call() {
            if (!prefix.matches("[0-9a-f]{8,64}")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "HASH-PREFIX must be 8 to 64 lowercase hex"
                        + " digits from 'token list', was \"" + prefix + "\".");
            }
            try (Store store = open(database, parent)) {
                List<TokenRecord> matches = store.read(Store.ReadTx::listTokens).stream()
                        .filter(t -> t.tokenHash().startsWith(prefix)).toList();
                if (matches.size() != 1) {
                    throw new CliException(matches.isEmpty() ? "No token's hash starts with " + prefix + "; see 'token list'."
                            : matches.size() + " tokens' hashes start with " + prefix + "; give more digits.");
                }
                TokenRecord t = matches.get(0);
                if (!store.inTransaction(tx -> tx.revokeToken(t.tokenHash(), Clock.systemUTC().instant()))) {
                    throw new CliException("Token " + prefix + " (" + t.role().wireName() + ") was already revoked.");
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("Revoked " + t.role().wireName() + " token " + t.tokenHash().substring(0, 12)
                        + (t.hostId().isPresent() ? " of host " + t.hostId().get() : "") + ".");
                out.flush();
            }
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
            out.printf("%-12s %-8s %-20s %-24s %-24s %-6s %-8s %s%n", "HASH", "ROLE", "HOST", "CREATED", "EXPIRES", "USES",
                    "REVOKED", "NOTE");
            for (TokenRecord t : tokens) {
                out.printf("%-12s %-8s %-20s %-24s %-24s %-6s %-8s %s%n", t.tokenHash().substring(0, 12),
                        t.role().wireName(), t.hostId().orElse("-"), t.createdAt(),
                        t.expiresAt().map(Object::toString).orElse("never"),
                        t.usesLeft().isPresent() ? Long.toString(t.usesLeft().getAsLong()) : "-",
                        t.revokedAt().isPresent() ? "yes" : "no", t.note());
            }
            out.flush();
            return 0;
        }
    }
}
