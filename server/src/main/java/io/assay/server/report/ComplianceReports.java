package io.assay.server.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.Verdict;
import io.assay.server.fleet.Pledges;
import io.assay.server.report.ComplianceReport.CheckpointRef;
import io.assay.server.report.ComplianceReport.FindingLine;
import io.assay.server.report.ComplianceReport.HostLine;
import io.assay.server.report.ComplianceReport.Totals;
import io.assay.server.store.FleetTables;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.HostRecord;
import io.assay.server.store.LogTables;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Computes the compliance report of a pledge from the store. Coverage (covered, gap and verdict
 * time) comes from the {@link CoverageSource}; findings and energy from the payloads of the
 * host's reports in the period, which passed signature and chain checks at ingest.
 */
public final class ComplianceReports {
    /** Distinct findings kept per host; a miner seen every minute for a month is one line with a count. */
    static final int MAX_FINDINGS_PER_HOST = 200;
    private static final int PAGE = 1000;

    private final Store store;
    private final CoverageSource coverage;
    private final Clock clock;

    public ComplianceReports(Store store, CoverageSource coverage, Clock clock) {
        this.store = store;
        this.coverage = coverage;
        this.clock = clock;
    }

    /** The report of pledge {@code id}; empty when there is no such pledge. */
    public Optional<ComplianceReport> compute(String pledgeId) {
        return store.read(tx -> tx.fleet().findPledge(pledgeId)).map(this::compute);
    }

    public ComplianceReport compute(Pledge pledge) {
        Instant now = clock.instant();
        long from = pledge.from().toEpochMilli();
        long to = Math.max(from, Math.min(pledge.to().toEpochMilli(), now.toEpochMilli()));
        Optional<LogTables.StoredCheckpoint> cp = store.read(tx -> tx.log().latestCheckpoint());
        List<HostLine> lines = new ArrayList<>();
        long notLogged = 0;
        long checkpointSize = cp.map(LogTables.StoredCheckpoint::size).orElse(0L);
        for (String hostId : store.read(tx -> Pledges.hostsOf(pledge, tx.fleet()))) {
            Scan scan = store.read(tx -> scan(tx, hostId, from, to, checkpointSize));
            notLogged += scan.notLogged;
            lines.add(line(hostId, from, to, scan));
        }
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        long covered = 0;
        long gap = 0;
        int mining = 0;
        double joules = 0;
        boolean anyEnergy = false;
        for (HostLine l : lines) {
            covered += l.coveredMs();
            gap += l.gapMs();
            l.msByVerdict().forEach((v, ms) -> byVerdict.merge(v, ms, Long::sum));
            if (l.ms(Verdict.MINING) > 0) mining++;
            if (l.energyJoules().isPresent()) {
                anyEnergy = true;
                joules += l.energyJoules().getAsDouble();
            }
        }
        long unlogged = notLogged;
        Optional<CheckpointRef> ref = cp.map(c -> new CheckpointRef(c.size(), c.note(), c.createdAt(), unlogged));
        return new ComplianceReport(pledge, now, from, to, lines, new Totals(lines.size(), covered, gap, byVerdict,
                mining, anyEnergy ? OptionalDouble.of(joules) : OptionalDouble.empty()), ref);
    }

    /**
     * One host's coverage, verdict time, findings and energy over {@code [fromMs, toMs)}: the
     * evidence an IP check answers with.
     */
    public HostLine evidence(String hostId, long fromMs, long toMs) {
        return line(hostId, fromMs, toMs, store.read(tx -> scan(tx, hostId, fromMs, toMs, 0)));
    }

    private HostLine line(String hostId, long from, long to, Scan scan) {
        CoverageSource.Period period = to > from
                ? coverage.coverage(hostId, from, to).orElse(new CoverageSource.Period(0, Map.of()))
                : new CoverageSource.Period(0, Map.of());
        return new HostLine(hostId, scan.hostname, scan.operator, scan.groups, period.coveredMs(),
                (to - from) - period.coveredMs(), period.msByVerdict(), List.copyOf(scan.findings.values()), scan.energy);
    }

    /** What one pass over a host's reports in the period yields. */
    private static final class Scan {
        String hostname = "";
        String operator = FleetTables.DEFAULT_OPERATOR;
        List<String> groups = List.of();
        final Map<String, FindingLine> findings = new LinkedHashMap<>();
        OptionalDouble energy = OptionalDouble.empty();
        long notLogged;
    }

    private static Scan scan(Store.ReadTx tx, String hostId, long from, long to, long checkpointSize) {
        Scan s = new Scan();
        Optional<HostRecord> host = tx.findHost(hostId);
        if (host.isEmpty()) return s;
        s.hostname = host.get().identity().hostname();
        FleetTables.Membership m = tx.fleet().membership(hostId);
        s.operator = m.operator();
        s.groups = m.groups();
        if (to <= from) return s;
        long after = 0;
        long used = 0;
        long minSeq = Long.MAX_VALUE;
        long maxSeq = 0;
        double joules = 0;
        boolean anyEnergy = false;
        while (true) {
            List<ReportRow> page = tx.listReports(hostId, new ReportQuery(from, to, after, PAGE));
            for (ReportRow row : page) {
                used++;
                minSeq = Math.min(minSeq, row.seq());
                maxSeq = Math.max(maxSeq, row.seq());
                JsonObject payload = payload(tx, hostId, row.seq());
                if (payload == null) continue;
                OptionalDouble e = energyOf(payload);
                if (e.isPresent()) {
                    anyEnergy = true;
                    joules += e.getAsDouble();
                }
                addFindings(s, row.seq(), payload);
            }
            if (page.size() < PAGE) break;
            after = page.get(page.size() - 1).seq();
        }
        if (anyEnergy) s.energy = OptionalDouble.of(joules);
        if (used > 0) {
            long logged = tx.log().leavesOf(hostId, minSeq, maxSeq).stream()
                    .filter(l -> l.index() < checkpointSize).count();
            s.notLogged = used - logged;
        }
        return s;
    }

    private static JsonObject payload(Store.ReadTx tx, String hostId, long seq) {
        return tx.findReport(hostId, seq).map(r -> {
            Envelope env = Json.fromJson(r.envelopeJson(), Envelope.class);
            JsonElement p = JsonParser.parseString(new String(Envelopes.unverifiedPayload(env), StandardCharsets.UTF_8));
            return p.isJsonObject() ? p.getAsJsonObject() : null;
        }).orElse(null);
    }

    /**
     * Joules the report states ({@code hardware.energy[].joules}, added by agents that read RAPL
     * or GPU power); empty for reports without energy figures.
     */
    static OptionalDouble energyOf(JsonObject payload) {
        JsonElement hw = payload.get("hardware");
        if (hw == null || !hw.isJsonObject()) return OptionalDouble.empty();
        JsonElement energy = hw.getAsJsonObject().get("energy");
        if (energy == null || !energy.isJsonArray() || energy.getAsJsonArray().isEmpty()) return OptionalDouble.empty();
        double sum = 0;
        for (JsonElement e : energy.getAsJsonArray()) {
            if (e.isJsonObject() && e.getAsJsonObject().has("joules")) sum += e.getAsJsonObject().get("joules").getAsDouble();
        }
        return OptionalDouble.of(sum);
    }

    private static void addFindings(Scan s, long seq, JsonObject payload) {
        JsonElement fs = payload.get("findings");
        if (fs == null || !fs.isJsonArray()) return;
        for (JsonElement e : fs.getAsJsonArray()) {
            if (!e.isJsonObject()) continue;
            JsonObject f = e.getAsJsonObject();
            String rule = text(f, "ruleId");
            String key = rule + "|" + text(f, "pid") + "|" + text(f, "exeSha256") + "|" + text(f, "summary");
            FindingLine old = s.findings.get(key);
            if (old != null) {
                s.findings.put(key, new FindingLine(old.ruleId(), old.kind(), old.summary(), old.firstSeq(), seq,
                        old.reports() + 1, old.finding()));
            } else if (s.findings.size() < MAX_FINDINGS_PER_HOST) {
                s.findings.put(key, new FindingLine(rule, text(f, "kind"), text(f, "summary"), seq, seq, 1, f));
            }
        }
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }
}
