package io.assay.server.bench;

import com.google.gson.JsonParser;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Report;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.RawEnvelope;
import io.assay.server.cli.CliException;
import io.assay.server.coverage.HostHistory;
import io.assay.server.ingest.Ingestor;
import io.assay.server.report.ComplianceReports;
import io.assay.server.report.ReportFormat;
import io.assay.server.store.FleetTables;
import io.assay.server.store.FleetTables.FleetQuery;
import io.assay.server.store.FleetTables.Membership;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportDigest;
import io.assay.server.store.postgres.PostgresStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fleet bench (issue 9): {@code --hosts} hosts × {@code --days} days of one-minute reports on
 * PostgreSQL, then the fleet page, a host's history and the pledge report over every host, timed.
 *
 * <p>What is real and what is generated: {@code --full-hosts} hosts are enrolled, and each of
 * their reports is signed and goes through the real ingest path ({@link Ingestor}: signature,
 * chain, report row, log queue, summaries). The other hosts' rows (host, membership, summaries) are
 * written by set-based SQL in the shape ingest writes them ({@link FleetShape} is the plan of
 * both); they have no report rows. The bench generates the full hosts' summaries with the same SQL
 * into scratch tables and fails unless they equal what ingest wrote. Progress on stderr, the table
 * on stdout. {@code ./bench --only fleet} starts an embedded PostgreSQL and runs this.
 */
@Command(name = "bench-fleet", mixinStandardHelpOptions = true,
        description = "Load N hosts x D days of one-minute reports into PostgreSQL (summaries generated, a few hosts"
                + " ingested for real), then time the fleet page, a host's history and a pledge report; prints a table.")
public final class BenchFleetCommand implements Callable<Integer> {
    private static final long DAY = 86_400_000L;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--db-url", required = true, paramLabel = "JDBC-URL",
            description = "An empty PostgreSQL database (./bench --only fleet starts an embedded one).")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "postgres", description = "Default: ${DEFAULT-VALUE}.")
    String dbUser;

    @Option(names = "--hosts", defaultValue = "100000", description = "Hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--days", defaultValue = "30", description = "Days of one-minute reports (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--full-hosts", defaultValue = "20",
            description = "Hosts whose every report is signed and ingested (default: ${DEFAULT-VALUE}).")
    int fullHosts;

    @Option(names = "--queries", defaultValue = "200", description = "Timed runs per query (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--threads", defaultValue = "2", description = "Ingest threads (default: ${DEFAULT-VALUE}).")
    int threads;

    private final PrintStream progress = System.err;

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || hosts > 999_999) throw new CliException("--hosts must be 1..999999");
        PrintWriter out = spec.commandLine().getOut();
        long t0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        long periodEnd = t0 + days * DAY;
        Clock clock = Clock.fixed(Instant.ofEpochMilli(periodEnd + 3_600_000L), ZoneOffset.UTC);
        List<Long> full = FleetShape.fullHosts(fullHosts, hosts);
        try (PostgresStore store = PostgresStore.open(dbUrl, dbUser, "", threads + 2, Duration.ofSeconds(60));
                Connection sql = DriverManager.getConnection(dbUrl, dbUser, "")) {
            // 1. The full hosts, through the real ingest path.
            progress.printf("fleet: ingesting %d hosts x %d one-minute reports (signed, verified, chained)...%n",
                    full.size(), days * 1440);
            long tIngest = System.nanoTime();
            long ingested = ingest(store, clock, t0, full);
            double ingestS = (System.nanoTime() - tIngest) / 1e9;

            // 2. Everyone else, set-based.
            progress.printf("fleet: generating %d hosts' rows with SQL...%n", hosts - full.size());
            long tGen = System.nanoTime();
            try (Statement s = sql.createStatement()) {
                s.execute("SET synchronous_commit = off");
                for (String q : generate(t0, "", "SELECT n::bigint AS n FROM generate_series(0, " + (hosts - 1)
                        + ") n" + (full.isEmpty() ? "" : " WHERE n NOT IN (" + list(full) + ")"), true)) {
                    s.execute(q);
                }
            }
            double genS = (System.nanoTime() - tGen) / 1e9;

            // 3. What ingest wrote equals what the generator writes for the same hosts.
            progress.println("fleet: checking ingest's summaries against the generator's...");
            String check = check(sql, t0, full);

            long tAnalyze = System.nanoTime();
            try (Statement s = sql.createStatement()) {
                sql.setAutoCommit(true);
                s.execute("VACUUM ANALYZE");
            }
            double analyzeS = (System.nanoTime() - tAnalyze) / 1e9;

            // 4. Timings.
            progress.println("fleet: timing...");
            Random rnd = new Random(42);
            FleetQuery first = new FleetQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), "", 100);
            FleetQuery filtered = new FleetQuery(Optional.of(java.util.Set.of("acme")), Optional.of("acme"),
                    Optional.of("site=s0"), Optional.of(io.assay.protocol.Verdict.MINING), "", 100);
            List<Long> firstNs = time(queries, () -> store.read(tx -> tx.fleet().fleetPage(first)));
            List<Long> filteredNs = time(queries, () -> store.read(tx -> tx.fleet().fleetPage(filtered)));
            List<Long> deepNs = time(queries, () -> store.read(tx -> tx.fleet().fleetPage(new FleetQuery(Optional.empty(),
                    Optional.empty(), Optional.of("site=s3"), Optional.empty(), FleetShape.hostId(rnd.nextInt(hosts)), 100))));
            FleetTables.FleetPage page = store.read(tx -> tx.fleet().fleetPage(first));
            FleetTables.FleetPage minePage = store.read(tx -> tx.fleet().fleetPage(filtered));
            List<Long> historyNs = time(queries, () -> HostHistory.of(store, FleetShape.hostId(rnd.nextInt(hosts)), t0,
                    periodEnd).orElseThrow());
            List<Long> fullHistoryNs = full.isEmpty() ? List.of() : time(queries, () -> HostHistory.of(store,
                    FleetShape.hostId(full.get(rnd.nextInt(full.size()))), t0, periodEnd).orElseThrow());
            // Wire size of a history: what the API route would send.
            int historyBytes = HostHistory.toJson(HostHistory.of(store, FleetShape.hostId(96 % hosts), t0, periodEnd)
                    .orElseThrow()).toString().length();

            Pledge pledge = new Pledge("p-bench", "acme", "No mining, whole fleet", List.of(), List.of("fleet=all"),
                    Instant.ofEpochMilli(t0), Instant.ofEpochMilli(periodEnd), "bench", clock.instant());
            store.inTransaction(tx -> {
                tx.fleet().insertPledge(pledge);
                return null;
            });
            ComplianceReports reports = new ComplianceReports(store, clock);
            System.gc();
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            long heapBefore = heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            Counting sink = new Counting();
            long tReport = System.nanoTime();
            ReportFormat.JSON.write(reports, pledge, sink);
            double reportS = (System.nanoTime() - tReport) / 1e9;
            // Part of it: counting the reports the newest checkpoint lacks joins the log's tail with the report
            // rows; here the tail is every ingested report (no sequencer runs in the bench).
            long tTail = System.nanoTime();
            store.read(tx -> tx.summaries().notInCheckpoint(0, t0, periodEnd));
            double tailS = (System.nanoTime() - tTail) / 1e9;
            long peakHeap = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            Path sample = Files.createTempFile("assay-fleet-report-", ".json");
            String head;
            try {
                try (OutputStream o = Files.newOutputStream(sample)) {
                    ReportFormat.JSON.write(reports, pledge, o);
                }
                head = totals(sample);
            } finally {
                Files.deleteIfExists(sample);
            }

            // 5. The table.
            String pgVersion = one(sql, "SHOW server_version");
            long dbBytes = Long.parseLong(one(sql, "SELECT pg_database_size(current_database())"));
            out.printf("%n| fleet bench: %,d hosts x %d days of one-minute reports (%,d report-minutes), PostgreSQL | value |%n",
                    hosts, days, (long) hosts * days * 1440);
            out.printf("|---|---|%n");
            out.printf("| machine | %s |%n", machine(pgVersion));
            out.printf("| ingested for real | %d hosts, %,d signed reports, %.0f s (%.0f reports/s, %d threads) |%n",
                    full.size(), ingested, ingestS, ingested / Math.max(ingestS, 1e-9), threads);
            out.printf("| generated (SQL, summary rows only) | %,d hosts in %.0f s; VACUUM ANALYZE %.0f s |%n",
                    hosts - full.size(), genS, analyzeS);
            out.printf("| ingest's summaries = generator's (full hosts) | %s |%n", check);
            out.printf("| rows | %s |%n", rowCounts(sql));
            out.printf("| database size | %.2f GiB |%n", dbBytes / (double) (1L << 30));
            out.printf("| fleet page, first 100 hosts + counts by verdict (%s) | p50 %s, p95 %s |%n",
                    page.hostsByVerdict(), ms(firstNs, 50), ms(firstNs, 95));
            out.printf("| fleet page, filtered (operator, group site=s0, MINING: %d hosts) + counts | p50 %s, p95 %s |%n",
                    minePage.hosts().size(), ms(filteredNs, 50), ms(filteredNs, 95));
            out.printf("| fleet page, group site=s3 after a random cursor | p50 %s, p95 %s |%n", ms(deepNs, 50), ms(deepNs, 95));
            out.printf("| host %d-day history, random host (coverage, %d days, findings; %,d B as JSON) | p50 %s, p95 %s |%n",
                    days, days, historyBytes, ms(historyNs, 50), ms(historyNs, 95));
            if (!fullHistoryNs.isEmpty()) {
                out.printf("| host %d-day history, an ingested host | p50 %s, p95 %s |%n", days, ms(fullHistoryNs, 50),
                        ms(fullHistoryNs, 95));
            }
            out.printf("| pledge report, all %,d hosts x %d days, JSON streamed | %.1f s (of which %.1f s the log-tail count"
                    + " over %,d unsequenced reports), %.1f MiB written |%n", hosts, days, reportS, tailS, ingested,
                    sink.bytes / 1048576.0);
            out.printf("| heap during the report (peak used; before: %.0f MiB, -Xmx %.0f MiB) | %.0f MiB |%n",
                    heapBefore / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0, peakHeap / 1048576.0);
            out.printf("| report totals | %s |%n", head);
            out.flush();
        }
        return 0;
    }

    // --- ingest of the full hosts ---

    private long ingest(PostgresStore store, Clock clock, long t0, List<Long> full) throws Exception {
        Ingestor ingestor = new Ingestor(store, clock);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (long n : full) done.add(pool.submit(() -> ingestHost(store, ingestor, t0, n)));
            long total = 0;
            for (Future<Long> f : done) total += f.get();
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    private long ingestHost(PostgresStore store, Ingestor ingestor, long t0, long n) throws Exception {
        FleetShape shape = new FleetShape(n, days);
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        String id = FleetShape.hostId(n);
        store.inTransaction(tx -> {
            tx.insertHost(HostRecord.enrolled(id, key.publicKey().base64(), key.publicKey().keyId(),
                    new HostIdentity("node-" + n, "uuid-" + n, "SN" + n, List.of()), "bench", Instant.ofEpochMilli(t0 - DAY)));
            tx.fleet().putMembership(new Membership(id, "acme", List.of("fleet=all", "site=s" + (n % 20))));
            return null;
        });
        String prev = "";
        long count = 0;
        List<RawEnvelope> batch = new ArrayList<>();
        for (long m = 0; m < shape.minutes(); m++) {
            if (!shape.present(m)) continue;
            long start = t0 + m * FleetShape.MIN;
            Report r = new Report(Report.FORMAT_VERSION, id, shape.seq(m), prev, start, start + FleetShape.MIN, "bench",
                    t0 + shape.agentStartedOffsetMs(m), "f".repeat(64), "", new LoadSummary(12.5, 30.0, 4), List.of(),
                    shape.findings(m), shape.verdict(m), List.of(), FleetShape.ENERGY, List.of(), List.of());
            Envelopes.SignedReport sr = Envelopes.seal(r, key);
            prev = sr.payloadHash();
            batch.add(RawEnvelope.of(sr.envelope()));
            if (batch.size() == 500) {
                ingestor.ingest(id, batch);
                count += batch.size();
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            ingestor.ingest(id, batch);
            count += batch.size();
        }
        progress.printf("fleet: %s (%s) ingested, %d reports%n", id, shape.kind(), count);
        return count;
    }

    // --- the generator ---

    private static String list(List<Long> ns) {
        return ns.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /**
     * The statements that write the summary rows of the hosts {@code source} selects (a query
     * with one bigint column {@code n}) into tables prefixed {@code prefix} ("" = the real ones;
     * with {@code withHosts}, also their host, membership and group rows). Mirrors {@link FleetShape}.
     */
    private List<String> generate(long t0, String prefix, String source, boolean withHosts) {
        long r = days * 1440L;
        long run0 = t0 - FleetShape.MIN;
        long gapDay = (days / 3) * 1440L;
        long episodeDay = (2L * days / 3) * 1440L;
        String h = "WITH src AS (" + source + "), h AS (SELECT n, 'h-' || lpad(n::text, 6, '0') AS id,"
                + " CASE WHEN n % 1000 = 500 THEN 'now' WHEN n % 100 = 89 THEN 'degraded'"
                + " WHEN n % 100 BETWEEN 90 AND 95 THEN 'gap' WHEN n % 100 >= 96 THEN 'episode' ELSE 'clean' END AS k,"
                + " " + gapDay + " + (n % 24) * 60 AS gs, " + episodeDay + " + (n % 24) * 60 AS es FROM src) ";
        List<String> out = new ArrayList<>();
        if (withHosts) {
            out.add(h + "INSERT INTO hosts (host_id, public_key, key_id, hostname, system_uuid, board_serial, macs_json,"
                    + " agent_version, enrolled_at, last_seen, last_seq, last_hash, last_verdict)"
                    + " SELECT id, 'gen-key-' || n, 'gen:' || n, 'node-' || n, 'uuid-' || n, 'SN' || n, '[]', 'bench', "
                    + (t0 - DAY) + ", " + (t0 + r * FleetShape.MIN + 3_600_000L) + ", CASE WHEN k = 'gap' THEN " + (r - 120)
                    + " ELSE " + r + " END, md5(id) || md5(id || 'x'),"
                    + " CASE k WHEN 'now' THEN 'MINING' WHEN 'degraded' THEN 'DEGRADED' ELSE 'CLEAN' END FROM h");
            out.add(h + "INSERT INTO host_fleet (host_id, operator, groups_json)"
                    + " SELECT id, 'acme', '[\"fleet=all\",\"site=s' || (n % 20) || '\"]' FROM h");
            out.add(h + "INSERT INTO host_groups (grp, host_id) SELECT 'fleet=all', id FROM h"
                    + " UNION ALL SELECT 'site=s' || (n % 20), id FROM h");
        }
        String v = "(VALUES"
                + " ('clean', 1::bigint, " + r + "::bigint, 0::bigint, " + r + "::bigint, 'CLEAN', " + run0 + "::bigint),"
                + " ('gap', 1, h.gs, 0, h.gs, 'CLEAN', " + run0 + "),"
                + " ('gap', h.gs + 1, " + (r - 120) + ", h.gs + 120, " + r + ", 'CLEAN', " + t0 + " + (h.gs + 120) * 60000 - 1000),"
                + " ('episode', 1, h.es, 0, h.es, 'CLEAN', " + run0 + "),"
                + " ('episode', h.es + 1, h.es + 180, h.es, h.es + 180, 'MINING', " + run0 + "),"
                + " ('episode', h.es + 181, " + r + ", h.es + 180, " + r + ", 'CLEAN', " + run0 + "),"
                + " ('now', 1, " + (r - 180) + ", 0, " + (r - 180) + ", 'CLEAN', " + run0 + "),"
                + " ('now', " + (r - 179) + ", " + r + ", " + (r - 180) + ", " + r + ", 'MINING', " + run0 + "),"
                + " ('degraded', 1, " + (r - 60) + ", 0, " + (r - 60) + ", 'CLEAN', " + run0 + "),"
                + " ('degraded', " + (r - 59) + ", " + r + ", " + (r - 60) + ", " + r + ", 'DEGRADED', " + run0 + ")"
                + ") AS s(k, f, l, a, b, v, run)";
        out.add(h + "INSERT INTO " + prefix + "host_stretches (host_id, first_seq, last_seq, from_ms, to_ms, verdict,"
                + " agent_started_ms) SELECT h.id, s.f, s.l, " + t0 + " + s.a * 60000, " + t0 + " + s.b * 60000, s.v, s.run"
                + " FROM h CROSS JOIN LATERAL " + v + " WHERE s.k = h.k");
        out.add(h + "INSERT INTO " + prefix + "host_days (host_id, day_ms, first_seq, last_seq, reports, energy_joules,"
                + " energy_reports) SELECT id, " + t0 + " + d * " + DAY + "::bigint,"
                + " fm + 1 - CASE WHEN fm >= g1 THEN 120 ELSE 0 END, lm + 1 - CASE WHEN lm >= g1 THEN 120 ELSE 0 END,"
                + " rep, (rep * " + FleetShape.JOULES + ")::double precision, rep FROM ("
                + " SELECT g.id, d, g.g1,"
                + " CASE WHEN d * 1440 >= g0 AND d * 1440 < g1 THEN g1 ELSE d * 1440 END AS fm,"
                + " CASE WHEN d * 1440 + 1439 >= g0 AND d * 1440 + 1439 < g1 THEN g0 - 1 ELSE d * 1440 + 1439 END AS lm,"
                + " 1440 - GREATEST(0, LEAST(d * 1440 + 1440, g1) - GREATEST(d * 1440, g0)) AS rep"
                + " FROM (SELECT id, CASE WHEN k = 'gap' THEN gs ELSE 1000000000 END AS g0,"
                + " CASE WHEN k = 'gap' THEN gs + 120 ELSE 1000000000 END AS g1 FROM h) g"
                + " CROSS JOIN generate_series(0::bigint, " + (days - 1) + "::bigint) d) x WHERE rep > 0");
        ReportDigest.Finding f = findingDigest();
        out.add(h + "INSERT INTO " + prefix + "host_findings (host_id, finding_key, first_seq, last_seq, reports, from_ms,"
                + " to_ms, rule_id, kind, summary, evidence) SELECT id, " + lit(f.key()) + ", a + 1, a + 180, 180, "
                + t0 + " + a * 60000, " + t0 + " + (a + 180) * 60000, " + lit(f.ruleId()) + ", " + lit(f.kind()) + ", "
                + lit(f.summary()) + ", " + lit(f.json()) + " FROM (SELECT id, CASE k WHEN 'episode' THEN es ELSE "
                + (r - 180) + " END AS a FROM h WHERE k IN ('episode', 'now')) m");
        return out;
    }

    /** The finding's digest exactly as ingest takes it from a report payload. */
    private static ReportDigest.Finding findingDigest() {
        var payload = new com.google.gson.JsonObject();
        payload.add("findings", JsonParser.parseString("[" + Json.toJson(FleetShape.POOL) + "]"));
        return ReportDigest.of(payload).findings().get(0);
    }

    private static String lit(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private String check(Connection sql, long t0, List<Long> full) throws SQLException {
        if (full.isEmpty()) return "not checked (no full hosts)";
        String ids = full.stream().map(n -> "'" + FleetShape.hostId(n) + "'").collect(Collectors.joining(","));
        String[][] tables = {
            {"host_stretches", "host_id, first_seq, last_seq, from_ms, to_ms, verdict, agent_started_ms"},
            {"host_days", "host_id, day_ms, first_seq, last_seq, reports, energy_joules, energy_reports"},
            {"host_findings", "host_id, finding_key, first_seq, last_seq, reports, from_ms, to_ms, rule_id, kind, summary, evidence"}};
        List<String> parts = new ArrayList<>();
        boolean same = true;
        try (Statement s = sql.createStatement()) {
            for (String[] t : tables) s.execute("CREATE TEMP TABLE cmp_" + t[0] + " (LIKE " + t[0] + ")");
            for (String q : generate(t0, "cmp_", "SELECT unnest(ARRAY[" + list(full) + "]::bigint[]) AS n", false)) {
                s.execute(q);
            }
            for (String[] t : tables) {
                long rows = Long.parseLong(one(sql, "SELECT count(*) FROM " + t[0] + " WHERE host_id IN (" + ids + ")"));
                long diff = Long.parseLong(one(sql, "SELECT count(*) FROM ((SELECT " + t[1] + " FROM " + t[0]
                        + " WHERE host_id IN (" + ids + ") EXCEPT ALL SELECT " + t[1] + " FROM cmp_" + t[0] + ") UNION ALL"
                        + " (SELECT " + t[1] + " FROM cmp_" + t[0] + " EXCEPT ALL SELECT " + t[1] + " FROM " + t[0]
                        + " WHERE host_id IN (" + ids + "))) d"));
                same &= diff == 0 && rows > 0;
                parts.add(t[0] + " " + rows + " rows" + (diff == 0 ? "" : ", " + diff + " DIFFER"));
            }
        }
        if (!same) {
            throw new CliException("the generator does not write what ingest writes for the full hosts: "
                    + String.join("; ", parts) + " (compare host_* with cmp_host_* for hosts " + ids + ")");
        }
        return "yes (" + String.join(", ", parts) + ")";
    }

    // --- measuring and printing ---

    private static List<Long> time(int n, Supplier<?> work) {
        for (int i = 0; i < Math.min(20, n); i++) work.get(); // warm-up: JIT, plans, caches
        List<Long> ns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            work.get();
            ns.add(System.nanoTime() - t);
        }
        Collections.sort(ns);
        return ns;
    }

    private static String ms(List<Long> sortedNs, int pct) {
        long v = sortedNs.get(Math.min(sortedNs.size() - 1, (int) Math.ceil(sortedNs.size() * pct / 100.0) - 1));
        return String.format("%.1f ms", v / 1e6);
    }

    private static String one(Connection c, String q) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(q); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String rowCounts(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String t : List.of("hosts", "reports", "host_stretches", "host_days", "host_findings", "host_groups")) {
            out.add(String.format("%s %,d", t, Long.parseLong(one(c, "SELECT count(*) FROM " + t))));
        }
        return String.join(", ", out);
    }

    private static String machine(String pgVersion) {
        String cpu = "?";
        long memKb = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
        } catch (IOException | RuntimeException e) {
            // not Linux: leave the unknowns
        }
        return String.format("%d cores (%s), %.0f GiB, PostgreSQL %s, Java %s", Runtime.getRuntime().availableProcessors(),
                cpu, memKb / 1048576.0, pgVersion, System.getProperty("java.version"));
    }

    private static String totals(Path json) throws IOException {
        // Streamed: the report of 100,000 hosts is tens of MB, and the bench may run in a small heap.
        try (var r = new com.google.gson.stream.JsonReader(Files.newBufferedReader(json))) {
            com.google.gson.JsonObject o = null;
            r.beginObject();
            while (r.hasNext()) {
                if (r.nextName().equals("totals")) o = JsonParser.parseReader(r).getAsJsonObject(); else r.skipValue();
            }
            if (o == null) return "(no totals in the report)";
            return String.format("%d hosts, %.0f h covered, %.0f h unattested, %d hosts with mining", o.get("hosts").getAsInt(),
                    o.get("coveredSeconds").getAsDouble() / 3600, o.get("gapSeconds").getAsDouble() / 3600,
                    o.get("hostsWithMining").getAsInt());
        }
    }

    /** Counts the bytes written and drops them. */
    private static final class Counting extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
