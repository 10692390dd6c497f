package io.assay.server.store.sqlite;

import io.assay.server.store.AbstractFleetTablesContract;
import io.assay.server.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The fleet tables contract on a real SQLite file. */
class SqliteFleetTablesTest extends AbstractFleetTablesContract {
    @TempDir
    Path dir;

    @Override
    protected Store open() {
        return SqliteStore.open(dir.resolve("f.db"), Duration.ofSeconds(10), 2);
    }
}
