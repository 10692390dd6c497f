package io.assay.server.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.Verdict;
import io.assay.protocol.api.HostIdentity;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.StoreException;
import io.assay.server.store.StoredReport;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    @TempDir
    Path dir;

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private SqliteStore open() {
        return SqliteStore.open(dir.resolve("s.db"), Duration.ofSeconds(2), 2);
    }

    private static HostRecord host(String id) {
        return HostRecord.enrolled(id, "key-" + id, "ed25519:" + id, new HostIdentity(id, "uuid", "sn", List.of("m")),
                "1", NOW);
    }

    private static StoredReport report(String hostId, long seq) {
        return new StoredReport(new ReportRow(hostId, seq, "h" + seq, seq * 1000, seq * 1000 + 1000, Verdict.CLEAN, NOW, 0),
                "{\"seq\":" + seq + "}");
    }

    @Test
    void appendingAReportMovesTheChainEndInTheSameTransaction() {
        try (SqliteStore store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                tx.appendReport(report("h-1", 1));
                return null;
            });

            HostRecord h = store.read(tx -> tx.findHost("h-1")).orElseThrow();
            assertThat(h.lastSeq()).isEqualTo(1);
            assertThat(h.lastHash()).isEqualTo("h1");
            assertThat(h.lastSeen()).hasValue(NOW);
            Optional<StoredReport> stored = store.read(tx -> tx.findReport("h-1", 1));
            assertThat(stored).hasValue(report("h-1", 1));
        }
    }

    @Test
    void aFailedTransactionLeavesNothingBehind() {
        try (SqliteStore store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                return null;
            });

            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.appendReport(report("h-1", 1));
                tx.appendReport(report("h-1", 1)); // duplicate key
                return null;
            })).isInstanceOf(StoreException.class);

            Optional<StoredReport> stored = store.read(tx -> tx.findReport("h-1", 1));
            assertThat(stored).isEmpty();
            assertThat(store.read(tx -> tx.findHost("h-1")).orElseThrow().lastSeq()).isZero();
        }
    }

    @Test
    void dataSurvivesReopeningAndEventsKeepTheirOrder() {
        try (SqliteStore store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                for (long s = 1; s <= 5; s++) tx.appendReport(report("h-1", s));
                tx.insertEvent(new HostEvent("h-1", HostEvent.Kind.FORK, 3, "first", NOW, Optional.of("{}")));
                tx.insertEvent(new HostEvent("h-1", HostEvent.Kind.CLONE_SUSPECTED, 0, "second", NOW, Optional.empty()));
                return null;
            });
        }
        try (SqliteStore store = open()) {
            List<ReportRow> page = store.read(tx -> tx.listReports("h-1", new ReportQuery(2500, 5000, 2, 10)));
            // windows [s*1000, s*1000+1000): overlap with [2500, 5000) is s = 2..4; after=2 leaves 3, 4.
            assertThat(page).extracting(ReportRow::seq).containsExactly(3L, 4L);
            List<HostEvent> events = store.read(tx -> tx.listEvents("h-1"));
            assertThat(events).extracting(HostEvent::detail)
                    .containsExactly("first", "second");
        }
    }

    @Test
    void refusesADatabaseWithANewerSchema() throws Exception {
        open().close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("s.db"))) {
            c.createStatement().execute("PRAGMA user_version = 99");
        }

        assertThatThrownBy(this::open).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining("newer assay-server");
    }

    @Test
    void schemaScriptSplitsIntoStatements() {
        assertThat(SqliteStore.statements("-- c; x\nCREATE TABLE a (x INT); -- y;\n\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)");
    }
}
