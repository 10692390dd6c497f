package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who owns which host, what a token is limited to, pledges, and which host held which address
 * when, seen through one transaction ({@link Store.ReadTx#fleet()}). Writes are only legal in a
 * read-write transaction.
 */
public interface FleetTables {

    /** The operator hosts belong to when the token that enrolled them names none. */
    String DEFAULT_OPERATOR = "default";

    /** A host's operator and groups (site, rack, tags: free text such as {@code site=bj1}). */
    record Membership(String hostId, String operator, List<String> groups) {
        public Membership {
            requireNonNull(hostId, "hostId");
            requireNonNull(operator, "operator");
            groups = List.copyOf(groups);
        }
    }

    /**
     * What a token is limited to.
     *
     * @param operators the operators whose hosts the token sees; empty means all of them
     * @param groups the groups hosts enrolled with this token get
     */
    record TokenScope(List<String> operators, List<String> groups) {
        public static final TokenScope UNLIMITED = new TokenScope(List.of(), List.of());

        public TokenScope {
            operators = List.copyOf(operators);
            groups = List.copyOf(groups);
        }
    }

    /** A pledge: the hosts (by id or group) of one operator that it covers over {@code [from, to)}. */
    record Pledge(String id, String operator, String name, List<String> hosts, List<String> groups, Instant from,
            Instant to, String text, Instant createdAt) {
        public Pledge {
            requireNonNull(id, "id");
            requireNonNull(operator, "operator");
            requireNonNull(name, "name");
            hosts = List.copyOf(hosts);
            groups = List.copyOf(groups);
            requireNonNull(from, "from");
            requireNonNull(to, "to");
            requireNonNull(text, "text");
            requireNonNull(createdAt, "createdAt");
            if (!from.isBefore(to)) throw new IllegalArgumentException("a pledge's from must be before its to");
        }
    }

    /** Where an address was seen: the agent listing its interfaces, or the collector seeing an upload come from it. */
    enum AddressSource {
        INTERFACE, UPLOAD;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static AddressSource parse(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** An address a host held over {@code [fromMs, toMs]} (epoch ms). */
    record AddressHeld(String hostId, String address, AddressSource source, long fromMs, long toMs) {
        public AddressHeld {
            requireNonNull(hostId, "hostId");
            requireNonNull(address, "address");
            requireNonNull(source, "source");
            if (toMs < fromMs) throw new IllegalArgumentException("toMs must be >= fromMs");
        }
    }

    /**
     * What a fleet page asks for. Hosts are in host id order; {@code afterHostId} is the cursor
     * (empty: from the first).
     *
     * @param scope the operators the caller may see; empty = all
     * @param verdict hosts whose last report has this verdict
     */
    record FleetQuery(Optional<java.util.Set<String>> scope, Optional<String> operator, Optional<String> group,
            Optional<io.assay.protocol.Verdict> verdict, String afterHostId, int limit) {
        public FleetQuery {
            scope = scope.map(java.util.Set::copyOf);
            requireNonNull(operator, "operator");
            requireNonNull(group, "group");
            requireNonNull(verdict, "verdict");
            requireNonNull(afterHostId, "afterHostId");
            if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    /** A host as the fleet page shows it: the current-state columns of its host row and its membership. */
    record FleetRow(String hostId, String hostname, String operator, List<String> groups, Instant enrolledAt,
            Optional<Instant> lastSeen, long lastSeq, Optional<io.assay.protocol.Verdict> lastVerdict) {
        public FleetRow {
            requireNonNull(hostId, "hostId");
            requireNonNull(hostname, "hostname");
            requireNonNull(operator, "operator");
            groups = List.copyOf(groups);
            requireNonNull(enrolledAt, "enrolledAt");
            requireNonNull(lastSeen, "lastSeen");
            requireNonNull(lastVerdict, "lastVerdict");
        }
    }

    /**
     * One page of the fleet.
     *
     * @param hostsByVerdict hosts matching every filter but the verdict and the cursor, by last
     *     verdict ("NONE": no report yet)
     * @param nextAfter the cursor of the next page; empty on the last page
     */
    record FleetPage(List<FleetRow> hosts, java.util.Map<String, Long> hostsByVerdict, Optional<String> nextAfter) {
        public FleetPage {
            hosts = List.copyOf(hosts);
            hostsByVerdict = java.util.Map.copyOf(hostsByVerdict);
            requireNonNull(nextAfter, "nextAfter");
        }
    }

    /** A page of the fleet, read from host rows and indexed memberships (never from reports). */
    FleetPage fleetPage(FleetQuery q);

    /** The fleet rows of {@code hostIds} (at most {@link SummaryTables#MAX_HOSTS_PER_READ}), by host id; unknown ids are left out. */
    List<FleetRow> fleetRows(java.util.Collection<String> hostIds);

    /** The groups of hosts whose operator is in {@code scope} (empty = all), sorted. */
    List<String> groupNames(Optional<java.util.Set<String>> scope);

    /** The host's membership; hosts enrolled before fleets existed belong to {@link #DEFAULT_OPERATOR}. */
    Membership membership(String hostId);

    /** Every host's membership, in host id order. */
    List<Membership> memberships();

    /** Sets (inserts or replaces) a host's operator and groups. */
    void putMembership(Membership m);

    /** The scope of a token; {@link TokenScope#UNLIMITED} when none was stored. */
    TokenScope scope(String tokenHash);

    void putScope(String tokenHash, TokenScope scope);

    void insertPledge(Pledge p);

    Optional<Pledge> findPledge(String id);

    /** All pledges, by creation time then id. */
    List<Pledge> listPledges();

    /**
     * Records that the host held {@code address} over {@code [fromMs, toMs]}: extends the latest
     * stretch of the same address and source when it ended no more than {@code joinMs} before
     * {@code fromMs}, else starts a new one.
     */
    void recordAddress(AddressHeld held, long joinMs);

    /** Stretches of addresses in {@code candidates} (canonical text), by host then start. */
    List<AddressHeld> addressesIn(List<String> candidates);

    /** Every stretch of every address, by host then start (for CIDR checks). */
    List<AddressHeld> allAddresses();
}
