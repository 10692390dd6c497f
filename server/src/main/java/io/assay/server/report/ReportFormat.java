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

    /**
     * Computes and writes the report of {@code pledge}: JSON and CSV line by line as each host is
     * computed (bounded memory at any fleet size), PDF from the whole report.
     */
    public void write(ComplianceReports reports, io.assay.server.store.FleetTables.Pledge pledge, OutputStream out)
            throws IOException {
        if (this == PDF) {
            ReportPdf.write(reports.compute(pledge), out);
            return;
        }
        Writer w = new OutputStreamWriter(new java.io.BufferedOutputStream(out, 1 << 16), StandardCharsets.UTF_8);
        if (this == CSV) {
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(CSV_HEADER).get());
            long[] period = new long[1];
            reports.stream(pledge, new ComplianceReports.Sink() {
                @Override
                public void begin(Instant generatedAt, long fromMs, long toMs) {
                    period[0] = toMs - fromMs;
                }

                @Override
                public void line(HostLine h) {
                    try {
                        csvRow(p, period[0], h);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            p.flush();
            w.flush();
            return;
        }
        com.google.gson.Gson gson = new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();
        com.google.gson.stream.JsonWriter jw = gson.newJsonWriter(w);
        try {
            jw.beginObject();
            jw.name("pledge");
            gson.toJson(FleetRoutes.pledgeJson(pledge), jw);
            ComplianceReports.Streamed s = reports.stream(pledge, new ComplianceReports.Sink() {
                @Override
                public void begin(Instant generatedAt, long fromMs, long toMs) {
                    try {
                        jw.name("generatedAt").value(generatedAt.toString());
                        jw.name("from").value(Instant.ofEpochMilli(fromMs).toString());
                        jw.name("to").value(Instant.ofEpochMilli(toMs).toString());
                        jw.name("periodSeconds").value(seconds(toMs - fromMs));
                        jw.name("hosts").beginArray();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                @Override
                public void line(HostLine h) {
                    gson.toJson(hostJson(h), jw);
                }
            });
            jw.endArray();
            jw.name("totals");
            gson.toJson(totalsJson(s.totals()), jw);
            jw.name("checkpoint");
            gson.toJson(checkpointJson(s.checkpoint()), jw);
            jw.endObject();
            jw.flush();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
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
            for (HostLine h : r.hosts()) csvRow(p, r.periodMs(), h);
            p.flush();
        }
    }

    private static void csvRow(CSVPrinter p, long periodMs, HostLine h) throws IOException {
        p.printRecord(h.hostId(), h.hostname(), h.operator(), String.join(";", h.groups()),
                seconds(periodMs), seconds(h.coveredMs()), seconds(h.gapMs()),
                seconds(h.ms(Verdict.CLEAN)), seconds(h.ms(Verdict.SUSPECT)), seconds(h.ms(Verdict.MINING)),
                seconds(h.ms(Verdict.DEGRADED)),
                h.findings().stream().map(FindingLine::ruleId).distinct().collect(Collectors.joining(";")),
                h.energyJoules().isPresent() ? h.energyJoules().getAsDouble() : "");
    }

    static JsonObject json(ComplianceReport r) {
        JsonObject o = new JsonObject();
        o.add("pledge", FleetRoutes.pledgeJson(r.pledge()));
        o.addProperty("generatedAt", r.generatedAt().toString());
        o.addProperty("from", Instant.ofEpochMilli(r.fromMs()).toString());
        o.addProperty("to", Instant.ofEpochMilli(r.toMs()).toString());
        o.addProperty("periodSeconds", seconds(r.periodMs()));
        JsonArray hosts = new JsonArray();
        for (HostLine h : r.hosts()) hosts.add(hostJson(h));
        o.add("hosts", hosts);
        o.add("totals", totalsJson(r.totals()));
        o.add("checkpoint", checkpointJson(r.checkpoint()));
        return o;
    }

    private static JsonObject hostJson(HostLine h) {
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
        return j;
    }

    private static JsonObject totalsJson(ComplianceReport.Totals totals) {
        JsonObject t = new JsonObject();
        t.addProperty("hosts", totals.hosts());
        t.addProperty("coveredSeconds", seconds(totals.coveredMs()));
        t.addProperty("gapSeconds", seconds(totals.gapMs()));
        t.add("verdictSeconds", verdicts(totals.msByVerdict()));
        t.addProperty("hostsWithMining", totals.hostsWithMining());
        t.add("energyJoules", energy(totals.energyJoules()));
        return t;
    }

    private static com.google.gson.JsonElement checkpointJson(java.util.Optional<ComplianceReport.CheckpointRef> ref) {
        return ref.map(c -> {
            JsonObject cj = new JsonObject();
            cj.addProperty("size", c.size());
            cj.addProperty("createdAt", c.createdAt().toString());
            cj.addProperty("note", c.note());
            cj.addProperty("reportsNotInCheckpoint", c.reportsNotInCheckpoint());
            return (com.google.gson.JsonElement) cj;
        }).orElse(JsonNull.INSTANCE);
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
