package io.assay.server.fleet;

import static java.util.Objects.requireNonNull;

import io.assay.server.store.FleetTables;
import io.assay.server.store.FleetTables.Membership;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates pledges and resolves which hosts one covers. Shared by the API and the CLI so both
 * refuse the same things with the same words. Thread-safe.
 */
public final class Pledges {
    private final Store store;
    private final Clock clock;
    private final SecureRandom random;

    public Pledges(Store store, Clock clock, SecureRandom random) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
    }

    /**
     * What a caller asks for.
     *
     * @param operator the operator the pledge is for; empty = the only operator the caller's scope
     *     allows, or the default operator for an unscoped caller
     */
    public record Request(String name, List<String> hosts, List<String> groups, Instant from, Instant to, String text,
            Optional<String> operator) {
        public Request {
            requireNonNull(name, "name");
            hosts = List.copyOf(hosts);
            groups = List.copyOf(groups);
            requireNonNull(from, "from");
            requireNonNull(to, "to");
            requireNonNull(text, "text");
            requireNonNull(operator, "operator");
        }
    }

    /** A refused pledge; the message says what and how to fix it. */
    public static final class RefusedException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Validates and stores a pledge. Every named host must exist and belong to the pledge's
     * operator; at least one host or group must be named.
     */
    public Pledge create(Request r, Scope caller) {
        List<String> problems = new ArrayList<>();
        if (r.name().isBlank()) problems.add("name must not be empty");
        if (r.hosts().isEmpty() && r.groups().isEmpty()) problems.add("name at least one host id in hosts or one group in groups");
        if (!r.from().isBefore(r.to())) problems.add("from (" + r.from() + ") must be before to (" + r.to() + ")");
        String operator = r.operator().orElseGet(() -> caller.operators()
                .filter(s -> s.size() == 1).map(s -> s.iterator().next()).orElse(FleetTables.DEFAULT_OPERATOR));
        if (!caller.sees(operator)) problems.add("this token may not make pledges for operator " + operator);
        return store.inTransaction(tx -> {
            for (String h : r.hosts()) {
                if (tx.findHost(h).isEmpty()) {
                    problems.add("host " + h + " is not enrolled");
                } else if (!tx.fleet().membership(h).operator().equals(operator)) {
                    problems.add("host " + h + " does not belong to operator " + operator);
                }
            }
            if (!problems.isEmpty()) throw new RefusedException("pledge refused: " + String.join("; ", problems));
            byte[] b = new byte[6];
            random.nextBytes(b);
            Pledge p = new Pledge("p-" + HexFormat.of().formatHex(b), operator, r.name(), r.hosts(), r.groups(), r.from(),
                    r.to(), r.text(), clock.instant());
            tx.fleet().insertPledge(p);
            return p;
        });
    }

    /** The hosts a pledge covers: those it names, and the operator's hosts in any of its groups, by host id. */
    public static List<String> hostsOf(Pledge p, FleetTables fleet) {
        Set<String> out = new LinkedHashSet<>(p.hosts());
        for (Membership m : fleet.memberships()) {
            if (m.operator().equals(p.operator()) && m.groups().stream().anyMatch(p.groups()::contains)) {
                out.add(m.hostId());
            }
        }
        return out.stream().sorted().toList();
    }
}
