package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Envelope;
import io.assay.protocol.Json;
import io.assay.protocol.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An envelope with the exact JSON bytes it arrived in. The collector stores and logs these bytes
 * (the transparency log's leaf data), never a re-serialization, so an auditor can hash what the
 * agent sent. The bytes are valid UTF-8, so {@link #json()} round-trips them exactly.
 */
public record RawEnvelope(Envelope envelope, String json) {
    public RawEnvelope {
        requireNonNull(envelope, "envelope");
        requireNonNull(json, "json");
    }

    /** The bytes as sent. */
    public byte[] bytes() {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses one envelope's bytes strictly and keeps them. */
    public static RawEnvelope parse(byte[] json) {
        StrictJson.validate(json);
        return new RawEnvelope(Json.fromBytes(json, Envelope.class), new String(json, StandardCharsets.UTF_8));
    }

    /** An envelope made here (tests, tools): its bytes are this build's serialization. */
    public static RawEnvelope of(Envelope envelope) {
        return new RawEnvelope(envelope, Json.toJson(envelope));
    }

    /**
     * Splits a {@code POST /api/v1/reports} body ({@link ReportBatch} JSON) into its envelopes'
     * exact bytes, strictly: a duplicate key or an unknown field anywhere is refused.
     *
     * @throws io.assay.protocol.ProtocolException the body is not a strict ReportBatch
     */
    public static List<RawEnvelope> parseBatch(byte[] body) {
        return StrictJson.arrayElements(body, "reports").stream().map(RawEnvelope::parse).toList();
    }
}
