package io.assay.server.ipcheck;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.assay.protocol.Verdict;
import io.assay.server.fleet.Scope;
import io.assay.server.report.ComplianceReport.HostLine;
import io.assay.server.report.ComplianceReports;
import io.assay.server.store.FleetTables.AddressHeld;
import io.assay.server.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers a regulator's list, line by line: {@code ours} with the hosts that held the address in
 * the time asked (their verdict time and findings then, from the one coverage computation),
 * {@code not-covered} when hosts held it but no report covers that time (a gap is never clean),
 * {@code not-ours} when no host the caller may see held it then. Thread-safe.
 */
public final class IpChecks {
    private final Store store;
    private final ComplianceReports evidence;

    public IpChecks(Store store, ComplianceReports evidence) {
        this.store = requireNonNull(store, "store");
        this.evidence = requireNonNull(evidence, "evidence");
    }

    /** The answers, one JSON object per query, in list order. */
    public JsonArray check(List<IpQuery> queries, Scope scope) {
        List<AddressHeld> all = null;
        JsonArray out = new JsonArray();
        for (IpQuery q : queries) {
            List<AddressHeld> held;
            if (q.block().isSingleAddress()) {
                held = store.read(tx -> tx.fleet().addressesIn(List.of(q.block().text())));
            } else {
                if (all == null) all = store.read(tx -> tx.fleet().allAddresses());
                held = all.stream().filter(h -> q.block().contains(h.address())).toList();
            }
            out.add(answer(q, held, scope));
        }
        return out;
    }

    private JsonObject answer(IpQuery q, List<AddressHeld> held, Scope scope) {
        long from = q.from().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        long to = q.to().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        // Per host: the part of the asked time during which it held a matching address.
        Map<String, long[]> spans = new TreeMap<>();
        Map<String, List<AddressHeld>> stretches = new TreeMap<>();
        Map<String, String> operators = store.read(tx -> {
            Map<String, String> m = new TreeMap<>();
            for (AddressHeld h : held) m.computeIfAbsent(h.hostId(), id -> tx.fleet().membership(id).operator());
            return m;
        });
        for (AddressHeld h : held) {
            if (!scope.sees(operators.get(h.hostId()))) continue;
            long a = Math.max(from, h.fromMs());
            long b = Math.min(to, h.toMs());
            if (b < a || (b == a && h.fromMs() != h.toMs())) continue;
            spans.merge(h.hostId(), new long[] {a, b}, (x, y) -> new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
            stretches.computeIfAbsent(h.hostId(), k -> new ArrayList<>()).add(h);
        }
        JsonObject o = new JsonObject();
        o.addProperty("line", q.line());
        o.addProperty("input", q.input());
        o.addProperty("block", q.block().text());
        o.addProperty("from", q.from().map(Instant::toString).orElse(null));
        o.addProperty("to", q.to().map(Instant::toString).orElse(null));
        JsonArray hosts = new JsonArray();
        boolean anyCovered = false;
        boolean mining = false;
        for (var e : spans.entrySet()) {
            long a = e.getValue()[0];
            long b = Math.max(e.getValue()[1], a + 1);
            HostLine line = evidence.evidence(e.getKey(), a, b);
            anyCovered |= line.coveredMs() > 0;
            mining |= line.ms(Verdict.MINING) > 0;
            hosts.add(hostJson(line, a, b, stretches.get(e.getKey())));
        }
        o.addProperty("status", hosts.isEmpty() ? "not-ours" : anyCovered ? "ours" : "not-covered");
        o.addProperty("mining", mining);
        o.add("hosts", hosts);
        return o;
    }

    private static JsonObject hostJson(HostLine l, long a, long b, List<AddressHeld> held) {
        JsonObject h = new JsonObject();
        h.addProperty("host", l.hostId());
        h.addProperty("hostname", l.hostname());
        h.addProperty("operator", l.operator());
        h.addProperty("heldFrom", Instant.ofEpochMilli(a).toString());
        h.addProperty("heldTo", Instant.ofEpochMilli(b).toString());
        JsonArray how = new JsonArray();
        held.stream().map(x -> x.address() + " (" + x.source().wireName() + ")").distinct().forEach(how::add);
        h.add("addresses", how);
        h.addProperty("coveredSeconds", l.coveredMs() / 1000.0);
        h.addProperty("gapSeconds", l.gapMs() / 1000.0);
        JsonObject v = new JsonObject();
        for (Verdict x : Verdict.values()) v.addProperty(x.name(), l.ms(x) / 1000.0);
        h.add("verdictSeconds", v);
        h.add("findings", io.assay.server.report.ReportFormat.findingsJson(l.findings()));
        return h;
    }
}
