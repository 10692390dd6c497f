package io.assay.server.store.sqlite;

import io.assay.server.store.AbstractSummaryTablesContract;
import io.assay.server.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The summaries contract on a real SQLite file. */
class SqliteSummaryTablesTest extends AbstractSummaryTablesContract {
    @TempDir
    Path dir;

    @Override
    protected Store open() {
        return SqliteStore.open(dir.resolve("s.db"), Duration.ofSeconds(10), 2);
    }
}
