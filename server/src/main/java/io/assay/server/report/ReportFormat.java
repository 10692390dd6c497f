package io.assay.server.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.assay.protocol.Verdict;
import io.assay.server.fleet.FleetRoutes;
import io.assay.server.report.ComplianceReport.FindingLine;
import io.assay.server.report.ComplianceReport.HostLine;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The formats a compliance report is written in. Times are seconds with millisecond precision. */
public enum ReportFormat {
    JSON("application/json", "json"),
    CSV("text/csv; charset=utf-8", "csv"),
    PDF("application/pdf", "pdf");

    private final String contentType;
    private final String extension;

    ReportFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    public String contentType() {
        return contentType;
    }

    public String extension() {
        return extension;
    }

    /** Parses {@code json}, {@code csv} or {@code pdf}; throws with the allowed names otherwise. */
    public static ReportFormat parse(String s) {
        for (ReportFormat f : values()) {
            if (f.extension.equalsIgnoreCase(s)) return f;
        }
        throw new IllegalArgumentException("format \"" + s + "\" is not one of "
                + Arrays.stream(values()).map(ReportFormat::extension).collect(Collectors.joining(", ")));
    }

    public void write(ComplianceReport r, OutputStream out) throws IOException {
        switch (this) {
            case JSON -> {
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create().toJson(json(r), w);
                w.flush();
            }
            case CSV -> csv(r, out);
            case PDF -> ReportPdf.write(r, out);
        }
    }

    static double seconds(long ms) {
        return ms / 1000.0;
    }

    /** The CSV columns, one row per host. */
    static final String[] CSV_HEADER = {"host", "hostname", "operator", "groups", "periodSeconds", "coveredSeconds",
            "gapSeconds", "cleanSeconds", "suspectSeconds", "miningSeconds", "degradedSeconds", "findings",
            "energyJoules"};

    private static void csv(ComplianceReport r, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(CSV_HEADER).get())) {
            for (HostLine h : r.hosts()) {
                p.printRecord(h.hostId(), h.hostname(), h.operator(), String.join(";", h.groups()),
                        seconds(r.periodMs()), seconds(h.coveredMs()), seconds(h.gapMs()),
                        seconds(h.ms(Verdict.CLEAN)), seconds(h.ms(Verdict.SUSPECT)), seconds(h.ms(Verdict.MINING)),
                        seconds(h.ms(Verdict.DEGRADED)),
                        h.findings().stream().map(FindingLine::ruleId).distinct().collect(Collectors.joining(";")),
                        h.energyJoules().isPresent() ? h.energyJoules().getAsDouble() : "");
            }
            p.flush();
        }
    }

    static JsonObject json(ComplianceReport r) {
        JsonObject o = new JsonObject();
        o.add("pledge", FleetRoutes.pledgeJson(r.pledge()));
        o.addProperty("generatedAt", r.generatedAt().toString());
        o.addProperty("from", Instant.ofEpochMilli(r.fromMs()).toString());
        o.addProperty("to", Instant.ofEpochMilli(r.toMs()).toString());
        o.addProperty("periodSeconds", seconds(r.periodMs()));
        JsonArray hosts = new JsonArray();
        for (HostLine h : r.hosts()) {
            JsonObject j = new JsonObject();
            j.addProperty("host", h.hostId());
            j.addProperty("hostname", h.hostname());
            j.addProperty("operator", h.operator());
            JsonArray g = new JsonArray();
            h.groups().forEach(g::add);
            j.add("groups", g);
            j.addProperty("coveredSeconds", seconds(h.coveredMs()));
            j.addProperty("gapSeconds", seconds(h.gapMs()));
            j.add("verdictSeconds", verdicts(h.msByVerdict()));
            j.add("energyJoules", energy(h.energyJoules()));
            j.add("findings", findingsJson(h.findings()));
            hosts.add(j);
        }
        o.add("hosts", hosts);
        JsonObject t = new JsonObject();
        t.addProperty("hosts", r.totals().hosts());
        t.addProperty("coveredSeconds", seconds(r.totals().coveredMs()));
        t.addProperty("gapSeconds", seconds(r.totals().gapMs()));
        t.add("verdictSeconds", verdicts(r.totals().msByVerdict()));
        t.addProperty("hostsWithMining", r.totals().hostsWithMining());
        t.add("energyJoules", energy(r.totals().energyJoules()));
        o.add("totals", t);
        o.add("checkpoint", r.checkpoint().map(c -> {
            JsonObject cj = new JsonObject();
            cj.addProperty("size", c.size());
            cj.addProperty("createdAt", c.createdAt().toString());
            cj.addProperty("note", c.note());
            cj.addProperty("reportsNotInCheckpoint", c.reportsNotInCheckpoint());
            return (com.google.gson.JsonElement) cj;
        }).orElse(JsonNull.INSTANCE));
        return o;
    }

    /** A host's findings with their evidence, as the JSON report and the IP check both show them. */
    public static JsonArray findingsJson(java.util.List<FindingLine> findings) {
        JsonArray fs = new JsonArray();
        for (FindingLine f : findings) {
            JsonObject fj = new JsonObject();
            fj.addProperty("ruleId", f.ruleId());
            fj.addProperty("kind", f.kind());
            fj.addProperty("summary", f.summary());
            fj.addProperty("firstSeq", f.firstSeq());
            fj.addProperty("lastSeq", f.lastSeq());
            fj.addProperty("reports", f.reports());
            fj.add("evidence", f.finding());
            fs.add(fj);
        }
        return fs;
    }

    private static JsonObject verdicts(java.util.Map<Verdict, Long> ms) {
        JsonObject v = new JsonObject();
        for (Verdict x : Verdict.values()) v.addProperty(x.name(), seconds(ms.getOrDefault(x, 0L)));
        return v;
    }

    private static com.google.gson.JsonElement energy(OptionalDouble j) {
        return j.isPresent() ? new JsonPrimitive(j.getAsDouble()) : JsonNull.INSTANCE;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
