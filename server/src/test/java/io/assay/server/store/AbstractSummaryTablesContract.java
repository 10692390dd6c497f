package io.assay.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.coverage.Coverage;
import io.assay.protocol.coverage.CoverageInput;
import io.assay.server.coverage.HostCoverage;
import io.assay.server.report.ComplianceReport.FindingLine;
import io.assay.server.report.ComplianceReport.HostLine;
import io.assay.server.report.ComplianceReports;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ingest-maintained summaries against the reports they summarise: a host history with
 * jitter, silences, restarts, verdict changes, findings that come and go, energy on some reports
 * and windows across midnight is stored through {@link Store.Tx#appendReport}; then, for many
 * periods (aligned to days and not), coverage over the stretches must equal coverage over every
 * report row, and the findings and energy the compliance report reads from the summaries must
 * equal what the report payloads say. A subclass gives each test a fresh database.
 */
public abstract class AbstractSummaryTablesContract {
    private static final long MIN = 60_000;
    private static final long DAY = 86_400_000;
    /** 22:00 UTC, so the history crosses midnight twice. */
    private static final long T0 = Instant.parse("2026-01-10T22:00:00Z").toEpochMilli();

    protected abstract Store open();

    @Test
    void summariesAnswerWhatTheReportsSay() {
        Random rnd = new Random(20261202);
        try (Store store = open()) {
            String host = "h-sum";
            Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
            store.inTransaction(tx -> {
                tx.insertHost(HostRecord.enrolled(host, key.publicKey().base64(), key.publicKey().keyId(),
                        new HostIdentity("sum", "uuid-sum", "SN", List.of()), "t", Instant.ofEpochMilli(T0 + 3 * MIN)));
                return null;
            });
            Finding wallet = finding("sig.wallet.cmdline", 4242);
            Finding busy = finding("beh.busy", 777);
            List<Report> reports = new ArrayList<>();
            long start = T0;
            long run = T0 - 3_600_000;
            Verdict verdict = Verdict.CLEAN;
            String prev = "";
            for (long seq = 1; seq <= 3_000; seq++) {
                int dice = rnd.nextInt(100);
                if (dice < 3) start += 300 + rnd.nextInt(700);         // jitter: still covered
                else if (dice < 5) start += (5 + rnd.nextInt(60)) * MIN; // silence: a gap
                else if (dice < 6) {                                     // restart
                    start += 2 * MIN;
                    run = start - 1_000;
                }
                if (rnd.nextInt(40) == 0) verdict = Verdict.values()[rnd.nextInt(Verdict.values().length)];
                List<Finding> fs = new ArrayList<>();
                if (verdict == Verdict.MINING) fs.add(wallet);
                if (verdict != Verdict.CLEAN && rnd.nextInt(3) > 0) fs.add(busy);
                if (verdict == Verdict.MINING && rnd.nextInt(10) == 0) fs.add(wallet); // listed twice: counts once
                Hardware hw = rnd.nextInt(4) == 0 ? Hardware.NONE : new Hardware(List.of(), List.of(), List.of(),
                        List.of(new Hardware.Energy("rapl", 1000 + rnd.nextInt(5000), 50, 60_000, "rapl")), List.of());
                long end = start + (rnd.nextInt(20) == 0 ? 30_000 : MIN);
                Report r = new Report(Report.FORMAT_VERSION, host, seq, prev, start, end, "t", run, "f".repeat(64), "",
                        new LoadSummary(1, 1, 1), List.of(), fs, verdict, List.of(), hw, List.of(), List.of());
                Envelopes.SignedReport sr = Envelopes.seal(r, key);
                prev = sr.payloadHash();
                reports.add(r);
                long s = seq;
                String env = Json.toJson(sr.envelope());
                store.inTransaction(tx -> {
                    tx.lockHost(host);
                    tx.appendReport(new StoredReport(new ReportRow(host, s, sr.payloadHash(), r.windowStartMs(),
                            r.windowEndMs(), r.verdict(), Instant.ofEpochMilli(r.windowEndMs()), r.agentStartedMs()), env));
                    return null;
                });
                start = end;
            }
            long last = start;
            // Far fewer stretches than reports, or the summaries summarise nothing.
            int stretches = store.read(tx -> tx.summaries().stretches(List.of(host), 0, Long.MAX_VALUE)).size();
            assertThat(stretches).isBetween(2, 600);

            ComplianceReports reportsFromSummaries = new ComplianceReports(store, Clock.systemUTC());
            List<long[]> periods = new ArrayList<>();
            periods.add(new long[] {T0 - DAY, last + DAY});
            long firstMidnight = Instant.ofEpochMilli(T0).atZone(ZoneOffset.UTC).toLocalDate().plusDays(1)
                    .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            periods.add(new long[] {firstMidnight, firstMidnight + DAY});
            periods.add(new long[] {firstMidnight - DAY, firstMidnight + DAY});
            for (int i = 0; i < 25; i++) {
                long a = T0 - 10 * MIN + (long) (rnd.nextDouble() * (last - T0 + 20 * MIN));
                long b = a + 1 + (long) (rnd.nextDouble() * (last - a + 10 * MIN));
                periods.add(new long[] {a, b});
            }
            for (long[] p : periods) {
                String at = Instant.ofEpochMilli(p[0]) + ".." + Instant.ofEpochMilli(p[1]);
                Coverage fromStretches = HostCoverage.of(store, host, p[0], p[1]).orElseThrow();
                Coverage fromRows = rawCoverage(reports, T0 + 3 * MIN, p[0], p[1]);
                assertThat(fromStretches.coveredMs()).as("covered " + at).isEqualTo(fromRows.coveredMs());
                assertThat(fromStretches.msByVerdict()).as("verdicts " + at).isEqualTo(fromRows.msByVerdict());
                assertThat(fromStretches.gaps()).as("gaps " + at).isEqualTo(fromRows.gaps());
                assertThat(fromStretches.covered().stream().map(c -> List.of(c.fromMs(), c.toMs(), c.verdict())).toList())
                        .as("covered intervals " + at)
                        .isEqualTo(fromRows.covered().stream().map(c -> List.of(c.fromMs(), c.toMs(), c.verdict())).toList());

                HostLine line = reportsFromSummaries.evidence(host, p[0], p[1]);
                RawLine raw = rawLine(reports, p[0], p[1]);
                assertThat(line.coveredMs()).as("line covered " + at).isEqualTo(fromRows.coveredMs());
                // Order aside (lines are by first seq, then key; payload order within one report is not kept).
                assertThat(line.findings().stream().map(f -> List.<Object>of(f.ruleId(), f.firstSeq(), f.lastSeq(),
                        (long) f.reports())).toList()).as("findings " + at).containsExactlyInAnyOrderElementsOf(raw.findings);
                assertThat(line.energyJoules().isPresent()).as("energy present " + at).isEqualTo(raw.energy != null);
                if (raw.energy != null) assertThat(line.energyJoules().getAsDouble()).as("energy " + at).isEqualTo(raw.energy);
                for (FindingLine f : line.findings()) assertThat(f.finding().get("ruleId").getAsString()).isEqualTo(f.ruleId());
            }
        }
    }

    private static Finding finding(String rule, int pid) {
        return new Finding(rule, rule.startsWith("sig") ? Finding.Kind.SIGNATURE : Finding.Kind.BEHAVIOUR,
                "process " + pid + " did it", pid, "x", "/tmp/x", "a".repeat(64), "root", List.of(), T0, "");
    }

    /** Coverage the way it was computed before summaries: one entry per report row. */
    private static Coverage rawCoverage(List<Report> reports, long enrolledAt, long from, long to) {
        List<CoverageInput.Entry> entries = new ArrayList<>();
        for (Report r : reports) {
            entries.add(CoverageInput.Entry.report(r.seq(), r.windowStartMs(), r.windowEndMs(), r.verdict(),
                    r.agentStartedMs(), true));
        }
        return Coverage.compute(new CoverageInput(from, to, enrolledAt, HostCoverage.DEFAULT_SLACK_MS, entries));
    }

    private record RawLine(List<List<Object>> findings, Double energy) {}

    /** Findings and energy the way the report computed them before summaries: every payload in the period. */
    private static RawLine rawLine(List<Report> reports, long from, long to) {
        Map<String, long[]> byKey = new LinkedHashMap<>();
        Map<String, String> rule = new LinkedHashMap<>();
        Double energy = null;
        for (Report r : reports) {
            if (r.windowEndMs() <= from || r.windowStartMs() >= to) continue;
            JsonObject payload = JsonParser.parseString(Json.toJson(r)).getAsJsonObject();
            ReportDigest d = ReportDigest.of(payload);
            if (d.energyJoules().isPresent()) energy = (energy == null ? 0 : energy) + d.energyJoules().getAsDouble();
            for (ReportDigest.Finding f : d.findings()) {
                long[] x = byKey.computeIfAbsent(f.key(), k -> new long[] {r.seq(), r.seq(), 0});
                x[1] = r.seq();
                x[2]++;
                rule.put(f.key(), f.ruleId());
            }
        }
        List<List<Object>> out = new ArrayList<>();
        byKey.forEach((k, x) -> out.add(List.of(rule.get(k), x[0], x[1], x[2])));
        return new RawLine(out, energy);
    }

}
