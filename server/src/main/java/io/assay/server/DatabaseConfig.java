package io.assay.server;

import static java.util.Objects.requireNonNull;

import io.assay.server.store.Store;
import io.assay.server.store.postgres.PostgresStore;
import io.assay.server.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Which database the collector uses: one SQLite file (the default) or a PostgreSQL database. */
public sealed interface DatabaseConfig {

    /** What is wrong with this configuration, one sentence each; empty when it is usable. */
    List<String> problems();

    /** Opens the store (creating or checking the schema). */
    Store open(Duration busyTimeout, int sqliteReaders);

    /** For logs and messages: the file, or the URL and user; never a password. */
    String describe();

    /** The embedded default: one SQLite file, created if missing. */
    record Sqlite(Path file) implements DatabaseConfig {
        public Sqlite {
            requireNonNull(file, "file");
        }

        @Override
        public List<String> problems() {
            return List.of();
        }

        @Override
        public Store open(Duration busyTimeout, int sqliteReaders) {
            return SqliteStore.open(file, busyTimeout, sqliteReaders);
        }

        @Override
        public String describe() {
            return "SQLite " + file;
        }
    }

    /**
     * A PostgreSQL database, possibly shared by several collectors.
     *
     * @param url {@code jdbc:postgresql://HOST:PORT/DB}
     * @param password empty for none (trust or peer authentication); never printed
     * @param poolSize most connections this collector holds; default 8, range 1..128
     */
    record Postgres(String url, String user, String password, int poolSize) implements DatabaseConfig {
        public static final int DEFAULT_POOL_SIZE = 8;

        public Postgres {
            requireNonNull(url, "url");
            requireNonNull(user, "user");
            requireNonNull(password, "password");
        }

        @Override
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (!url.startsWith("jdbc:postgresql://")) {
                problems.add("db.url is \"" + describeUrl() + "\"; it must look like jdbc:postgresql://HOST:PORT/DATABASE.");
            }
            if (user.isBlank()) problems.add("db.user is empty; name the PostgreSQL user with --db-user.");
            if (poolSize < 1 || poolSize > 128) {
                problems.add("db.pool-size is " + poolSize + "; it must be between 1 and 128.");
            }
            return List.copyOf(problems);
        }

        @Override
        public Store open(Duration busyTimeout, int sqliteReaders) {
            return PostgresStore.open(url, user, password, poolSize, busyTimeout);
        }

        private String describeUrl() {
            return url.replaceAll("(?i)(password=)[^&]*", "$1***");
        }

        @Override
        public String describe() {
            return "PostgreSQL " + describeUrl() + " as " + user;
        }

        /** Without the password, so configs can be logged. */
        @Override
        public String toString() {
            return "Postgres[url=" + describeUrl() + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                    + ", poolSize=" + poolSize + "]";
        }
    }
}
