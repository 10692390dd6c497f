package io.assay.server.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.assay.server.store.ChainBreak;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportRow;
import java.time.Instant;
import java.util.Optional;

/**
 * The JSON shapes of the auditor API. Times are ISO-8601 instants (UTC); absent values are JSON
 * {@code null}, so every field is always present.
 */
final class Views {
    private Views() {}

    static JsonObject hostSummary(HostRecord h) {
        JsonObject o = new JsonObject();
        o.addProperty("hostId", h.hostId());
        o.addProperty("hostname", h.identity().hostname());
        o.addProperty("enrolledAt", h.enrolledAt().toString());
        o.add("lastSeen", instant(h.lastSeen()));
        o.addProperty("lastSeq", h.lastSeq());
        o.add("lastVerdict", h.lastVerdict().<JsonElement>map(v -> json(v.name())).orElse(JsonNull.INSTANCE));
        o.addProperty("keyId", h.keyId());
        return o;
    }

    static JsonObject hostDetail(HostRecord h, Iterable<HostEvent> events, Iterable<ChainBreak> breaks) {
        JsonObject o = hostSummary(h);
        o.addProperty("publicKey", h.publicKey());
        o.addProperty("agentVersion", h.agentVersion());
        JsonObject identity = new JsonObject();
        identity.addProperty("hostname", h.identity().hostname());
        identity.addProperty("systemUuid", h.identity().systemUuid());
        identity.addProperty("boardSerial", h.identity().boardSerial());
        JsonArray macs = new JsonArray();
        h.identity().macs().forEach(macs::add);
        identity.add("macs", macs);
        o.add("identity", identity);
        JsonArray list = new JsonArray();
        for (HostEvent e : events) {
            JsonObject ev = new JsonObject();
            ev.addProperty("kind", e.kind().wireName());
            ev.addProperty("seq", e.seq());
            ev.addProperty("detail", e.detail());
            ev.addProperty("at", e.at().toString());
            ev.add("evidence", e.evidence().<JsonElement>map(JsonParser::parseString).orElse(JsonNull.INSTANCE));
            list.add(ev);
        }
        o.add("events", list);
        JsonArray chain = new JsonArray();
        for (ChainBreak b : breaks) {
            JsonObject cb = new JsonObject();
            cb.addProperty("kind", b.kind().wireName());
            cb.addProperty("chainEnd", b.chainEnd());
            cb.addProperty("seq", b.gotSeq());
            cb.addProperty("detail", b.detail());
            cb.addProperty("firstAt", b.firstAt().toString());
            cb.addProperty("lastAt", b.lastAt().toString());
            cb.addProperty("refusals", b.refusals());
            chain.add(cb);
        }
        o.add("chainBreaks", chain);
        return o;
    }

    static JsonObject reportRow(ReportRow r) {
        JsonObject o = new JsonObject();
        o.addProperty("hostId", r.hostId());
        o.addProperty("seq", r.seq());
        o.addProperty("payloadHash", r.payloadHash());
        o.addProperty("windowStart", Instant.ofEpochMilli(r.windowStartMs()).toString());
        o.addProperty("windowEnd", Instant.ofEpochMilli(r.windowEndMs()).toString());
        o.addProperty("verdict", r.verdict().name());
        o.addProperty("receivedAt", r.receivedAt().toString());
        o.addProperty("agentStarted", Instant.ofEpochMilli(r.agentStartedMs()).toString());
        return o;
    }

    private static JsonElement instant(Optional<Instant> t) {
        return t.<JsonElement>map(i -> json(i.toString())).orElse(JsonNull.INSTANCE);
    }

    private static JsonElement json(String s) {
        return new com.google.gson.JsonPrimitive(s);
    }
}
