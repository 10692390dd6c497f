package io.assay.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.server.store.AbstractStoreContract;
import io.assay.server.store.Store;
import io.assay.server.store.StoreException;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a real PostgreSQL server; two stores on one database stand for two collectors. */
class PostgresStoreTest extends AbstractStoreContract {
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

    @Override
    protected void setSchemaVersion(int version) throws Exception {
        try (var c = DriverManager.getConnection(url, TestPostgres.USER, ""); var s = c.createStatement()) {
            s.execute("UPDATE schema_version SET version = " + version);
        }
    }

    @Override
    protected void executeDirectly(String sql) throws Exception {
        try (var c = DriverManager.getConnection(url, TestPostgres.USER, ""); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void collectorsStartingTogetherOnAnEmptyDatabaseCreateTheSchemaOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Store> stores = new ArrayList<>();
        try {
            List<Future<Store>> opening = new ArrayList<>();
            for (int i = 0; i < 3; i++) opening.add(pool.submit((Callable<Store>) this::open));
            for (Future<Store> f : opening) stores.add(f.get(60, TimeUnit.SECONDS));
        } finally {
            stores.forEach(Store::close);
            pool.shutdownNow();
        }
        try (var c = DriverManager.getConnection(url, TestPostgres.USER, ""); var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*), max(version) FROM schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getInt(2)).isEqualTo(PostgresStore.SCHEMA_VERSION);
        }
    }

    @Test
    void anUnreachableServerIsAClearFailure() {
        assertThatThrownBy(() -> PostgresStore.open("jdbc:postgresql://127.0.0.1:1/assay?password=secret", "assay",
                "pw", 2, Duration.ofMillis(500)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/assay?password=***")
                .hasMessageContaining("ASSAY_DB_PASSWORD")
                .hasMessageNotContaining("secret");
    }

    @Test
    void aReadTransactionCannotWrite() {
        try (Store store = open()) {
            assertThatThrownBy(() -> store.read(tx -> {
                ((Store.Tx) tx).insertHost(host("h-1"));
                return null;
            })).isInstanceOf(StoreException.class).hasMessageContaining("read-only");
        }
    }
}
