package io.assay.server.store.postgres;

import io.assay.server.store.AbstractFleetTablesContract;
import io.assay.server.store.Store;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fleet tables contract on a real (embedded) PostgreSQL server. */
class PostgresFleetTablesTest extends AbstractFleetTablesContract {
    @RegisterExtension
    static final TestPostgres.PerClass PG = new TestPostgres.PerClass();
    private String url;

    @BeforeEach
    void freshDatabase() {
        url = PG.newDatabase();
    }

    @Override
    protected Store open() {
        return PG.open(url);
    }
}
