package io.assay.server.cli;

import io.assay.server.ConfigException;
import io.assay.server.DatabaseConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The database options every command that opens the database shares. The password never comes
 * from the command line (other users can read it in the process list): it comes from the
 * environment variable {@value #PASSWORD_ENV} or from a file.
 */
final class DatabaseOptions {
    static final String PASSWORD_ENV = "ASSAY_DB_PASSWORD";
    static final Path DEFAULT_SQLITE = Path.of("assay.db");

    @Option(names = "--db", paramLabel = "PATH",
            description = "SQLite database file, created if missing (default: assay.db). Not with --db-url.")
    Path db;

    @Option(names = "--db-url", paramLabel = "JDBC-URL",
            description = "Use PostgreSQL instead of SQLite: jdbc:postgresql://HOST:PORT/DATABASE. Needs --db-user;"
                    + " the password comes from the environment variable " + PASSWORD_ENV + " or --db-password-file.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "PostgreSQL user (with --db-url).")
    String dbUser;

    @Option(names = "--db-password-file", paramLabel = "FILE",
            description = "File holding the PostgreSQL password (with --db-url; trailing newline ignored).")
    Path passwordFile;

    @Option(names = "--db-pool-size", paramLabel = "N",
            description = "Most PostgreSQL connections held at once (with --db-url; default: "
                    + DatabaseConfig.Postgres.DEFAULT_POOL_SIZE + ").")
    Integer poolSize;

    /**
     * The database these options name, validated; every problem is reported together.
     *
     * @param env the process environment (for {@value #PASSWORD_ENV})
     * @throws ConfigException the options contradict each other or are incomplete
     */
    DatabaseConfig resolve(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        if (dbUrl == null) {
            for (String pgOnly : pgOnlyOptionsGiven()) {
                problems.add(pgOnly + " applies to PostgreSQL only; pass --db-url too, or drop " + pgOnly + ".");
            }
            if (!problems.isEmpty()) throw new ConfigException(problems);
            return new DatabaseConfig.Sqlite(db == null ? DEFAULT_SQLITE : db);
        }
        if (db != null) {
            problems.add("--db (a SQLite file) and --db-url (a PostgreSQL database) exclude each other; pass one of them.");
        }
        if (dbUser == null) problems.add("--db-url needs --db-user: the PostgreSQL user to log in as.");
        Optional<String> fromEnv = Optional.ofNullable(env.get(PASSWORD_ENV));
        String password = fromEnv.orElse("");
        if (passwordFile != null) {
            if (fromEnv.isPresent()) {
                problems.add("the password is given twice, in " + PASSWORD_ENV + " and in --db-password-file "
                        + passwordFile + "; unset one of them.");
            }
            try {
                password = stripLineEnd(Files.readString(passwordFile, StandardCharsets.UTF_8));
            } catch (IOException e) {
                problems.add("cannot read --db-password-file " + passwordFile + " (" + e + "); check that it exists"
                        + " and that this user may read it.");
            }
        }
        DatabaseConfig.Postgres pg = new DatabaseConfig.Postgres(dbUrl, dbUser == null ? "" : dbUser, password,
                poolSize == null ? DatabaseConfig.Postgres.DEFAULT_POOL_SIZE : poolSize);
        for (String p : pg.problems()) {
            if (dbUser != null || !p.startsWith("db.user")) problems.add(p);
        }
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return pg;
    }

    private List<String> pgOnlyOptionsGiven() {
        List<String> given = new ArrayList<>();
        if (dbUser != null) given.add("--db-user");
        if (passwordFile != null) given.add("--db-password-file");
        if (poolSize != null) given.add("--db-pool-size");
        return given;
    }

    private static String stripLineEnd(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) end--;
        return s.substring(0, end);
    }
}
