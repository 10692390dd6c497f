package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.api.RawEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Signed payloads are read strictly, so every reader of the same bytes sees the same report. */
class StrictPayloadTest {
    private final Ed25519Signer key = Ed25519Signer.generate(Fixtures.RANDOM);
    private final String valid = Json.toJson(Fixtures.report("h-1", 1, ""));

    /** Signs arbitrary payload bytes, as a malicious or buggy agent could. */
    private Envelope signed(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        return new Envelope(Report.PAYLOAD_TYPE, Base64.getEncoder().encodeToString(p), List.of(new Envelope.Signature(
                key.publicKey().keyId(), Base64.getEncoder().encodeToString(key.sign(Envelopes.pae(Report.PAYLOAD_TYPE, p))))));
    }

    private void refused(String payload, String message) {
        assertThatThrownBy(() -> Envelopes.open(signed(payload), key.publicKey()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining(message);
    }

    @Test
    void aValidPayloadOpens() throws VerificationException {
        assertThat(Envelopes.open(signed(valid), key.publicKey()).report().hostId()).isEqualTo("h-1");
    }

    @Test
    void refusesADuplicateKey() {
        refused(valid.replaceFirst("\\{", "{\"hostId\":\"h-other\","), "duplicate key \"hostId\"");
    }

    @Test
    void refusesAnUnknownFieldAtTopLevelAndNested() {
        refused(valid.replaceFirst("\\{", "{\"hostID\":\"h-other\","), "unknown field \"hostID\" in Report");
        refused(valid.replaceFirst("\"load\":\\{", "\"load\":{\"extra\":1,"), "unknown field \"extra\" in Report.load");
    }

    @Test
    void refusesNumbersThatDoNotFit() {
        refused(valid.replaceFirst("\"seq\":1", "\"seq\":100000000000000000000"), "Report");
        refused(valid.replaceFirst("\"seq\":1", "\"seq\":1.5"), "Report");
        refused(valid.replaceFirst("\"formatVersion\":1", "\"formatVersion\":4294967297"), "Report");
    }

    @Test
    void aBatchIsSplitIntoTheExactBytesOfEachEnvelope() {
        String e1 = "{ \"payloadType\" : \"t\", \"payload\":\"e30=\", \"signatures\":[{\"keyid\":\"k\",\"sig\":\"c2ln\"}] }";
        String e2 = Json.toJson(signed(valid));
        List<RawEnvelope> batch = RawEnvelope.parseBatch(("{\"reports\": [" + e1 + " ,\n" + e2 + "]}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(batch).extracting(RawEnvelope::json).containsExactly(e1, e2);
        assertThatThrownBy(() -> RawEnvelope.parseBatch("{\"reports\":[],\"reports\":[]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> RawEnvelope.parseBatch("{\"reports\":[] } x".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("trailing data");
        assertThatThrownBy(() -> RawEnvelope.parseBatch(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}))
                .hasMessageContaining("UTF-8");
    }
}
