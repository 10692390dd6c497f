package io.assay.server.store.postgres;

import io.assay.server.store.AbstractFleetTablesContract;
import io.assay.server.store.Store;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The fleet tables contract on a real (embedded) PostgreSQL server. */
class PostgresFleetTablesTest extends AbstractFleetTablesContract {
    private static TestPostgres pg;
    private String url;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    @BeforeEach
    void freshDatabase() {
        url = pg.newDatabase();
    }

    @Override
    protected Store open() {
        return PostgresStore.open(url, TestPostgres.USER, "", 4, Duration.ofSeconds(10));
    }
}
