package io.assay.server.store.postgres;

import io.assay.server.store.AbstractSummaryTablesContract;
import io.assay.server.store.Store;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The summaries contract on a real (embedded) PostgreSQL server. */
class PostgresSummaryTablesTest extends AbstractSummaryTablesContract {
    @RegisterExtension
    static final TestPostgres.PerClass PG = new TestPostgres.PerClass();

    @Override
    protected Store open() {
        return PG.open(PG.newDatabase());
    }
}
