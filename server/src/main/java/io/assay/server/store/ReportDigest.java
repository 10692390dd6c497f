package io.assay.server.store;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.ReportEvent;
import io.assay.protocol.coverage.GapReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What the summaries keep of one report's payload: the energy it states and its distinct
 * findings. Read from the stored payload bytes, so what the summaries say is what the signed
 * report says.
 *
 * @param energyJoules sum of {@code hardware.energy[].joules}; empty when the report states none
 * @param findings distinct findings by {@link Finding#key}, in payload order
 * @param marksGap the gap a lifecycle report marks over its window ({@link GapReason#markedBy}):
 *     a crash, clean stop, shed or lost reports; empty for reports that cover their window
 */
public record ReportDigest(OptionalDouble energyJoules, List<Finding> findings, Optional<GapReason> marksGap) {
    public static final ReportDigest EMPTY = new ReportDigest(OptionalDouble.empty(), List.of(), Optional.empty());

    public ReportDigest {
        requireNonNull(energyJoules, "energyJoules");
        findings = List.copyOf(findings);
        requireNonNull(marksGap, "marksGap");
    }

    public ReportDigest(OptionalDouble energyJoules, List<Finding> findings) {
        this(energyJoules, findings, Optional.empty());
    }

    /**
     * A finding as the report states it.
     *
     * @param key what makes two findings the same one: rule, pid, executable hash and summary
     * @param json the finding's JSON in the payload (its evidence)
     */
    public record Finding(String key, String ruleId, String kind, String summary, String json) {
        public Finding {
            requireNonNull(key, "key");
            requireNonNull(ruleId, "ruleId");
            requireNonNull(kind, "kind");
            requireNonNull(summary, "summary");
            requireNonNull(json, "json");
        }
    }

    /**
     * The digest of a stored envelope's payload; {@link #EMPTY} when it is not an envelope around a
     * JSON object. Ingest stores only envelopes it opened and verified, so that happens only to
     * rows written by other means (store tests); refusing them here would fail the report's write.
     */
    public static ReportDigest ofEnvelope(String envelopeJson) {
        try {
            Envelope env = Json.fromJson(envelopeJson, Envelope.class);
            JsonElement p = JsonParser.parseString(new String(Envelopes.unverifiedPayload(env), StandardCharsets.UTF_8));
            return p.isJsonObject() ? of(p.getAsJsonObject()) : EMPTY;
        } catch (RuntimeException e) {
            return EMPTY;
        }
    }

    public static ReportDigest of(JsonObject payload) {
        List<Finding> findings = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        JsonElement fs = payload.get("findings");
        if (fs != null && fs.isJsonArray()) {
            for (JsonElement e : fs.getAsJsonArray()) {
                if (!e.isJsonObject()) continue;
                JsonObject f = e.getAsJsonObject();
                String rule = text(f, "ruleId");
                String key = rule + "|" + text(f, "pid") + "|" + text(f, "exeSha256") + "|" + text(f, "summary");
                // One report counts once per finding even if it lists the same finding twice.
                if (seen.add(key)) findings.add(new Finding(key, rule, text(f, "kind"), text(f, "summary"), f.toString()));
            }
        }
        return new ReportDigest(energyOf(payload), findings, GapReason.markedBy(eventsOf(payload)));
    }

    /** The payload's lifecycle events, by kind only (what coverage needs); unknown kinds are left out. */
    static List<ReportEvent> eventsOf(JsonObject payload) {
        JsonElement es = payload.get("events");
        if (es == null || !es.isJsonArray()) return List.of();
        List<ReportEvent> out = new ArrayList<>();
        for (JsonElement e : es.getAsJsonArray()) {
            if (!e.isJsonObject()) continue;
            String kind = text(e.getAsJsonObject(), "kind").toUpperCase(java.util.Locale.ROOT);
            for (ReportEvent.Kind k : ReportEvent.Kind.values()) {
                if (k.name().equals(kind)) out.add(ReportEvent.of(k, text(e.getAsJsonObject(), "reason")));
            }
        }
        return out;
    }

    /** Joules the report states; empty for reports without energy figures. */
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

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }
}
