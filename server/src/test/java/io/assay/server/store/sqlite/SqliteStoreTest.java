package io.assay.server.store.sqlite;

import io.assay.server.store.AbstractStoreContract;
import io.assay.server.store.Store;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real SQLite file; two stores on one file stand for two processes. */
class SqliteStoreTest extends AbstractStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Store open() {
        return SqliteStore.open(dir.resolve("s.db"), Duration.ofSeconds(10), 2);
    }

    @org.junit.jupiter.api.Test
    void aNewDatabaseAndItsWalAreReadableByTheOwnerOnly() throws Exception {
        try (Store store = open()) {
            store.inTransaction(tx -> null);
            for (String name : new String[] {"s.db", "s.db-wal"}) {
                org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve(name)))
                        .as(name).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            }
        }
    }

    @Override
    protected void setSchemaVersion(int version) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("s.db")); var s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + version);
        }
    }

    @Override
    protected void executeDirectly(String sql) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("s.db")); var s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
