package io.assay.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.api.HostIdentity;
import io.assay.server.store.FleetTables.AddressHeld;
import io.assay.server.store.FleetTables.AddressSource;
import io.assay.server.store.FleetTables.Membership;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.FleetTables.TokenScope;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every backend's {@link FleetTables} must do; a subclass gives each test a fresh database. */
public abstract class AbstractFleetTablesContract {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    protected abstract Store open();

    private static HostRecord host(String id) {
        return HostRecord.enrolled(id, "key-" + id, "ed25519:" + id, new HostIdentity(id, "uuid", "sn", List.of("m")),
                "1", NOW);
    }

    @Test
    void hostsWithoutAFleetRowBelongToTheDefaultOperator() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                tx.insertHost(host("h-1"));
                tx.insertHost(host("h-2"));
                tx.fleet().putMembership(new Membership("h-2", "acme", List.of("site=bj1", "rack=12")));
                return null;
            });
            assertThat(store.<Membership>read(tx -> tx.fleet().membership("h-1")))
                    .isEqualTo(new Membership("h-1", FleetTables.DEFAULT_OPERATOR, List.of()));
            assertThat(store.<List<Membership>>read(tx -> tx.fleet().memberships())).containsExactly(
                    new Membership("h-1", "default", List.of()), new Membership("h-2", "acme", List.of("site=bj1", "rack=12")));
            store.inTransaction(tx -> {
                tx.fleet().putMembership(new Membership("h-2", "acme", List.of("site=sh2")));
                return null;
            });
            assertThat(store.<Membership>read(tx -> tx.fleet().membership("h-2")).groups()).containsExactly("site=sh2");
        }
    }

    @Test
    void tokenScopesAndPledgesRoundTrip() {
        try (Store store = open()) {
            Pledge p = new Pledge("p-1", "acme", "No mining 不挖矿", List.of("h-1"), List.of("site=bj1"),
                    NOW.minusSeconds(3600), NOW, "doc #42", NOW);
            store.inTransaction(tx -> {
                tx.fleet().putScope("hash-1", new TokenScope(List.of("acme", "beta"), List.of("site=bj1")));
                tx.fleet().insertPledge(p);
                return null;
            });
            assertThat(store.<TokenScope>read(tx -> tx.fleet().scope("hash-1")))
                    .isEqualTo(new TokenScope(List.of("acme", "beta"), List.of("site=bj1")));
            assertThat(store.<TokenScope>read(tx -> tx.fleet().scope("hash-none"))).isEqualTo(TokenScope.UNLIMITED);
            assertThat(store.<java.util.Optional<Pledge>>read(tx -> tx.fleet().findPledge("p-1"))).hasValue(p);
            assertThat(store.<List<Pledge>>read(tx -> tx.fleet().listPledges())).containsExactly(p);
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                tx.fleet().insertPledge(p);
                return null;
            })).isInstanceOf(StoreException.class);
        }
    }

    @Test
    void addressStretchesJoinWhenContiguousAndSplitAfterAPause() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                var f = tx.fleet();
                f.recordAddress(new AddressHeld("h-1", "10.0.0.5", AddressSource.INTERFACE, 0, 60_000), 120_000);
                f.recordAddress(new AddressHeld("h-1", "10.0.0.5", AddressSource.INTERFACE, 60_000, 120_000), 120_000);
                f.recordAddress(new AddressHeld("h-1", "10.0.0.5", AddressSource.UPLOAD, 100_000, 100_000), 120_000);
                f.recordAddress(new AddressHeld("h-1", "10.0.0.5", AddressSource.INTERFACE, 900_000, 960_000), 120_000);
                f.recordAddress(new AddressHeld("h-2", "10.0.0.6", AddressSource.INTERFACE, 0, 60_000), 120_000);
                return null;
            });
            assertThat(store.<List<AddressHeld>>read(tx -> tx.fleet().addressesIn(List.of("10.0.0.5")))).containsExactly(
                    new AddressHeld("h-1", "10.0.0.5", AddressSource.INTERFACE, 0, 120_000),
                    new AddressHeld("h-1", "10.0.0.5", AddressSource.UPLOAD, 100_000, 100_000),
                    new AddressHeld("h-1", "10.0.0.5", AddressSource.INTERFACE, 900_000, 960_000));
            assertThat(store.<List<AddressHeld>>read(tx -> tx.fleet().allAddresses())).hasSize(4);
            assertThat(store.<List<AddressHeld>>read(tx -> tx.fleet().addressesIn(List.of()))).isEmpty();
        }
    }

    @Test
    void fleetPagesFilterPageAndCountFromHostRows() {
        try (Store store = open()) {
            store.inTransaction(tx -> {
                for (int i = 0; i < 7; i++) {
                    String id = "h-" + i;
                    tx.insertHost(host(id));
                    tx.fleet().putMembership(new Membership(id, i < 5 ? "acme" : "beta",
                            i % 2 == 0 ? List.of("site=bj1", "rack=" + i) : List.of("site=sh2")));
                    if (i < 6) {
                        io.assay.protocol.Verdict v = i == 3 ? io.assay.protocol.Verdict.MINING : io.assay.protocol.Verdict.CLEAN;
                        tx.lockHost(id);
                        tx.appendReport(new StoredReport(new ReportRow(id, 1, "a".repeat(64), 0, 60_000, v, NOW, 0),
                                "{}"));
                    }
                }
                return null;
            });
            FleetTables.FleetQuery all = new FleetTables.FleetQuery(java.util.Optional.empty(), java.util.Optional.empty(),
                    java.util.Optional.empty(), java.util.Optional.empty(), "", 3);
            FleetTables.FleetPage p1 = store.read(tx -> tx.fleet().fleetPage(all));
            assertThat(p1.hosts()).extracting(FleetTables.FleetRow::hostId).containsExactly("h-0", "h-1", "h-2");
            assertThat(p1.hostsByVerdict()).isEqualTo(java.util.Map.of("CLEAN", 5L, "MINING", 1L, "NONE", 1L));
            assertThat(p1.nextAfter()).hasValue("h-2");
            FleetTables.FleetPage p3 = store.read(tx -> tx.fleet().fleetPage(new FleetTables.FleetQuery(all.scope(),
                    all.operator(), all.group(), all.verdict(), "h-5", 3)));
            assertThat(p3.hosts()).extracting(FleetTables.FleetRow::hostId).containsExactly("h-6");
            assertThat(p3.nextAfter()).isEmpty();
            assertThat(p3.hosts().get(0).lastVerdict()).isEmpty();

            // Scope, operator, group and verdict together; counts ignore only the verdict filter.
            FleetTables.FleetPage f = store.read(tx -> tx.fleet().fleetPage(new FleetTables.FleetQuery(
                    java.util.Optional.of(java.util.Set.of("acme")), java.util.Optional.of("acme"),
                    java.util.Optional.of("site=bj1"), java.util.Optional.of(io.assay.protocol.Verdict.CLEAN), "", 10)));
            assertThat(f.hosts()).extracting(FleetTables.FleetRow::hostId).containsExactly("h-0", "h-2", "h-4");
            assertThat(f.hosts().get(0).groups()).containsExactly("site=bj1", "rack=0");
            assertThat(f.hostsByVerdict()).isEqualTo(java.util.Map.of("CLEAN", 3L));
            FleetTables.FleetPage beta = store.read(tx -> tx.fleet().fleetPage(new FleetTables.FleetQuery(
                    java.util.Optional.of(java.util.Set.of("beta")), java.util.Optional.empty(), java.util.Optional.empty(),
                    java.util.Optional.empty(), "", 10)));
            assertThat(beta.hosts()).extracting(FleetTables.FleetRow::hostId).containsExactly("h-5", "h-6");
            FleetTables.FleetPage mining = store.read(tx -> tx.fleet().fleetPage(new FleetTables.FleetQuery(
                    java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of("site=sh2"),
                    java.util.Optional.of(io.assay.protocol.Verdict.MINING), "", 10)));
            assertThat(mining.hosts()).extracting(FleetTables.FleetRow::hostId).containsExactly("h-3");

            // Regrouping moves the host between group lookups.
            store.inTransaction(tx -> {
                tx.fleet().putMembership(new Membership("h-3", "acme", List.of("site=bj1")));
                return null;
            });
            assertThat(store.<FleetTables.FleetPage>read(tx -> tx.fleet().fleetPage(new FleetTables.FleetQuery(
                    java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of("site=sh2"),
                    java.util.Optional.empty(), "", 10))).hosts()).extracting(FleetTables.FleetRow::hostId)
                    .containsExactly("h-1", "h-5");
            assertThat(store.<List<String>>read(tx -> tx.fleet().groupNames(java.util.Optional.of(java.util.Set.of("beta")))))
                    .containsExactly("rack=6", "site=bj1", "site=sh2");
        }
    }
}
