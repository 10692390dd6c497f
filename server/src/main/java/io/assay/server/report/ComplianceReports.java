package io.assay.server.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Verdict;
import io.assay.protocol.coverage.Coverage;
import io.assay.server.coverage.HostCoverage;
import io.assay.server.fleet.Pledges;
import io.assay.server.report.ComplianceReport.CheckpointRef;
import io.assay.server.report.ComplianceReport.FindingLine;
import io.assay.server.report.ComplianceReport.HostLine;
import io.assay.server.report.ComplianceReport.Totals;
import io.assay.server.store.FleetTables;
import io.assay.server.store.FleetTables.FleetRow;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.LogTables;
import io.assay.server.store.Store;
import io.assay.server.store.SummaryTables;
import io.assay.server.store.SummaryTables.Day;
import io.assay.server.store.SummaryTables.FindingRun;
import io.assay.server.store.SummaryTables.ReportSpan;
import io.assay.server.store.SummaryTables.Stretch;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Computes the compliance report of a pledge from the store's ingest-maintained summaries
 * ({@link SummaryTables}), never from report rows or payloads in bulk: coverage from each host's
 * stretches through the one coverage computation ({@link HostCoverage}), findings from finding
 * runs, energy from day rows. Hosts are read {@link SummaryTables#MAX_HOSTS_PER_READ} at a time,
 * in host id order, and each line is handed on as soon as it is computed, so a report of 100,000
 * hosts streams in bounded memory.
 *
 * <p>Exact for any period: a finding run the period cuts is counted from the report index rows
 * of its seq range; energy of days the period cuts is read from those reports' payloads (only
 * where the day row says some report stated energy). Periods from midnight to midnight UTC
 * read summaries only.
 */
public final class ComplianceReports {
    /** Distinct findings kept per host; a miner seen every minute for a month is one line with a count. */
    static final int MAX_FINDINGS_PER_HOST = 200;

    private final Store store;
    private final Clock clock;

    public ComplianceReports(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The report of pledge {@code id}; empty when there is no such pledge. */
    public Optional<ComplianceReport> compute(String pledgeId) {
        return store.read(tx -> tx.fleet().findPledge(pledgeId)).map(this::compute);
    }

    /** The whole report in memory (the PDF needs it; JSON and CSV use {@link #stream}). */
    public ComplianceReport compute(Pledge pledge) {
        List<HostLine> lines = new ArrayList<>();
        Streamed s = stream(pledge, new Sink() {
            @Override
            public void begin(Instant generatedAt, long fromMs, long toMs) {}

            @Override
            public void line(HostLine line) {
                lines.add(line);
            }
        });
        return new ComplianceReport(pledge, s.generatedAt(), s.fromMs(), s.toMs(), lines, s.totals(), s.checkpoint());
    }

    /** What a streamed report says besides its host lines. */
    public record Streamed(Pledge pledge, Instant generatedAt, long fromMs, long toMs, Totals totals,
            Optional<CheckpointRef> checkpoint) {}

    /** Receives a streamed report: its period first, then each host line. */
    public interface Sink {
        void begin(Instant generatedAt, long fromMs, long toMs);

        void line(HostLine line);
    }

    /**
     * Computes the report, giving each host line to {@code sink} in host id order as soon as it
     * is computed; returns the totals. {@code sink} runs outside any transaction.
     */
    public Streamed stream(Pledge pledge, Sink sink) {
        Instant now = clock.instant();
        long from = pledge.from().toEpochMilli();
        long to = Math.max(from, Math.min(pledge.to().toEpochMilli(), now.toEpochMilli()));
        Optional<LogTables.StoredCheckpoint> cp = store.read(tx -> tx.log().latestCheckpoint());
        long checkpointSize = cp.map(LogTables.StoredCheckpoint::size).orElse(0L);
        List<String> hostIds = store.read(tx -> Pledges.hostsOf(pledge, tx.fleet()));
        Map<String, Long> unlogged = to > from ? store.read(tx -> tx.summaries().notInCheckpoint(checkpointSize, from, to))
                : Map.of();
        sink.begin(now, from, to);
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        long covered = 0;
        long gap = 0;
        long notLogged = 0;
        int mining = 0;
        double joules = 0;
        boolean anyEnergy = false;
        for (int i = 0; i < hostIds.size(); i += SummaryTables.MAX_HOSTS_PER_READ) {
            List<String> chunk = hostIds.subList(i, Math.min(hostIds.size(), i + SummaryTables.MAX_HOSTS_PER_READ));
            for (HostLine l : store.read(tx -> lines(tx, chunk, from, to))) {
                covered += l.coveredMs();
                gap += l.gapMs();
                l.msByVerdict().forEach((v, ms) -> byVerdict.merge(v, ms, Long::sum));
                if (l.ms(Verdict.MINING) > 0) mining++;
                if (l.energyJoules().isPresent()) {
                    anyEnergy = true;
                    joules += l.energyJoules().getAsDouble();
                }
                notLogged += unlogged.getOrDefault(l.hostId(), 0L);
                sink.line(l);
            }
        }
        long unloggedTotal = notLogged;
        Optional<CheckpointRef> ref = cp.map(c -> new CheckpointRef(c.size(), c.note(), c.createdAt(), unloggedTotal));
        return new Streamed(pledge, now, from, to, new Totals(hostIds.size(), covered, gap, byVerdict, mining,
                anyEnergy ? OptionalDouble.of(joules) : OptionalDouble.empty()), ref);
    }

    /**
     * One host's coverage, verdict time, findings and energy over {@code [fromMs, toMs)}: the
     * evidence an IP check answers with.
     */
    public HostLine evidence(String hostId, long fromMs, long toMs) {
        List<HostLine> l = store.read(tx -> lines(tx, List.of(hostId), fromMs, toMs));
        return l.isEmpty() ? new HostLine(hostId, "", FleetTables.DEFAULT_OPERATOR, List.of(), 0, Math.max(0, toMs - fromMs),
                Map.of(), List.of(), OptionalDouble.empty()) : l.get(0);
    }

    /** The lines of {@code hostIds} (sorted, at most {@link SummaryTables#MAX_HOSTS_PER_READ}) in one snapshot. */
    private static List<HostLine> lines(Store.ReadTx tx, List<String> hostIds, long from, long to) {
        List<FleetRow> hosts = tx.fleet().fleetRows(hostIds);
        if (hosts.isEmpty()) return List.of();
        if (to <= from) {
            return hosts.stream().map(h -> new HostLine(h.hostId(), h.hostname(), h.operator(), h.groups(), 0, 0, Map.of(),
                    List.of(), OptionalDouble.empty())).toList();
        }
        SummaryTables st = tx.summaries();
        Map<String, List<Stretch>> stretches = byHost(st.stretches(hostIds, from, to), Stretch::hostId);
        // From the day before: a report starting before the period may still overlap it.
        long firstDay = Math.floorDiv(from, SummaryTables.DAY_MS) * SummaryTables.DAY_MS - SummaryTables.DAY_MS;
        Map<String, List<Day>> days = byHost(st.days(hostIds, firstDay, to), Day::hostId);
        Map<String, List<FindingRun>> runs = byHost(st.findings(hostIds, from, to), FindingRun::hostId);
        List<HostLine> out = new ArrayList<>(hosts.size());
        for (FleetRow h : hosts) {
            Coverage c = HostCoverage.compute(h.enrolledAt().toEpochMilli(), from, to,
                    stretches.getOrDefault(h.hostId(), List.of()));
            out.add(new HostLine(h.hostId(), h.hostname(), h.operator(), h.groups(), c.coveredMs(),
                    (to - from) - c.coveredMs(), c.msByVerdict(),
                    findings(st, h.hostId(), runs.getOrDefault(h.hostId(), List.of()), from, to),
                    energy(st, h.hostId(), days.getOrDefault(h.hostId(), List.of()), from, to)));
        }
        return out;
    }

    private static <T> Map<String, List<T>> byHost(List<T> rows, java.util.function.Function<T, String> host) {
        Map<String, List<T>> m = new HashMap<>();
        for (T r : rows) m.computeIfAbsent(host.apply(r), k -> new ArrayList<>()).add(r);
        return m;
    }

    /** Energy of the reports overlapping the period: whole days from their rows, cut days from the reports. */
    private static OptionalDouble energy(SummaryTables st, String hostId, List<Day> days, long from, long to) {
        double sum = 0;
        boolean any = false;
        for (Day d : days) {
            if (d.energyReports() == 0) continue;
            OptionalDouble e;
            if (d.dayMs() >= from && d.dayMs() + SummaryTables.DAY_MS <= to) {
                e = OptionalDouble.of(d.energyJoules()); // every report starting in it overlaps the period
            } else {
                e = st.energy(hostId, d.firstSeq(), d.lastSeq(), from, to);
            }
            if (e.isPresent()) {
                any = true;
                sum += e.getAsDouble();
            }
        }
        return any ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    /**
     * One line per distinct finding, in order of first appearance, with the seq range and number
     * of the period's reports it is in. A run inside the period counts whole; one the period cuts
     * is counted from the index rows of its seq range (every report in a run has the finding).
     */
    private static List<FindingLine> findings(SummaryTables st, String hostId, List<FindingRun> runs, long from, long to) {
        Map<String, FindingLine> lines = new LinkedHashMap<>();
        for (FindingRun r : runs) { // by first seq
            long first = r.firstSeq();
            long last = r.lastSeq();
            long n = r.reports();
            if (r.fromMs() < from || r.toMs() > to) {
                Optional<ReportSpan> span = st.span(hostId, r.firstSeq(), r.lastSeq(), from, to);
                if (span.isEmpty()) continue;
                first = span.get().firstSeq();
                last = span.get().lastSeq();
                n = span.get().reports();
            }
            FindingLine old = lines.get(r.key());
            if (old != null) {
                lines.put(r.key(), new FindingLine(old.ruleId(), old.kind(), old.summary(), Math.min(old.firstSeq(), first),
                        Math.max(old.lastSeq(), last), (int) (old.reports() + n), old.finding()));
            } else if (lines.size() < MAX_FINDINGS_PER_HOST) {
                JsonObject evidence = JsonParser.parseString(r.evidenceJson()).getAsJsonObject();
                lines.put(r.key(), new FindingLine(r.ruleId(), r.kind(), r.summary(), first, last, (int) n, evidence));
            }
        }
        return List.copyOf(lines.values());
    }
}
