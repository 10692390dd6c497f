package io.assay.server.store.postgres;

import io.assay.server.store.AbstractSummaryTablesContract;
import io.assay.server.store.Store;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The summaries contract on a real (embedded) PostgreSQL server. */
class PostgresSummaryTablesTest extends AbstractSummaryTablesContract {
    private static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    @Override
    protected Store open() {
        return PostgresStore.open(pg.newDatabase(), TestPostgres.USER, "", 4, Duration.ofSeconds(10));
    }
}
