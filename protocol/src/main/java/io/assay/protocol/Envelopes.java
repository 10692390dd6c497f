package io.assay.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Seals reports into signed envelopes and opens them again, verifying the signature. */
public final class Envelopes {
    private Envelopes() {}

    /** A report with its exact payload bytes and their hash, as signed. */
    public record SignedReport(Report report, Envelope envelope, byte[] payload, String payloadHash) {}

    /** Serializes {@code report}, signs the bytes, and returns the envelope with its hash. */
    public static SignedReport seal(Report report, Ed25519Signer signer) {
        byte[] payload = Json.toBytes(report);
        byte[] sig = signer.sign(pae(Report.PAYLOAD_TYPE, payload));
        Envelope envelope = new Envelope(Report.PAYLOAD_TYPE,
                Base64.getEncoder().encodeToString(payload),
                List.of(new Envelope.Signature(signer.publicKey().keyId(), Base64.getEncoder().encodeToString(sig))));
        return new SignedReport(report, envelope, payload, Hashes.sha256Hex(payload));
    }

    /**
     * Verifies the envelope against the pinned key, then parses the payload. The signature is
     * checked before any JSON is parsed, so an unsigned payload never reaches the parser.
     *
     * @throws VerificationException no signature by {@code key} verifies
     * @throws ProtocolException the envelope or the payload is malformed
     */
    public static SignedReport open(Envelope envelope, Ed25519PublicKey key) throws VerificationException {
        if (!Report.PAYLOAD_TYPE.equals(envelope.payloadType())) {
            throw new ProtocolException("unknown payloadType \"" + envelope.payloadType()
                    + "\"; expected \"" + Report.PAYLOAD_TYPE + "\"");
        }
        byte[] payload = decodeBase64("payload", envelope.payload());
        byte[] signed = pae(envelope.payloadType(), payload);
        boolean keyPresent = false;
        for (Envelope.Signature s : envelope.signatures()) {
            if (!s.keyid().equals(key.keyId())) continue;
            keyPresent = true;
            key.verify(signed, decodeBase64("signature", s.sig()));
            // Strict first: a duplicate key must not let two readers see two different reports.
            StrictJson.validate(payload);
            StrictJson.requireKnownFields(payload, Report.class);
            Report report = Json.fromBytes(payload, Report.class);
            return new SignedReport(report, envelope, payload, Hashes.sha256Hex(payload));
        }
        if (!keyPresent) {
            throw new VerificationException("envelope carries no signature by the pinned key " + key.keyId());
        }
        throw new AssertionError("unreachable");
    }

    /** Reads the payload without verifying it: for display only, never for trust decisions. */
    public static byte[] unverifiedPayload(Envelope envelope) {
        return decodeBase64("payload", envelope.payload());
    }

    /** DSSE pre-authentication encoding: {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    private static byte[] decodeBase64(String what, String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(what + " is not standard base64", e);
        }
    }
}
