package io.assay.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A DSSE envelope (in-toto's Dead Simple Signing Envelope): the payload as standard base64, its
 * type, and signatures over {@code PAE(payloadType, payload)}. Signing the exact bytes means no
 * JSON canonicalization is needed and the collector can store the bytes verbatim.
 */
public record Envelope(String payloadType, String payload, List<Signature> signatures) {

    /** One signature: the signer's key id and the base64 signature. */
    public record Signature(String keyid, String sig) {
        public Signature {
            requireNonNull(keyid, "keyid");
            requireNonNull(sig, "sig");
        }
    }

    public Envelope {
        requireNonNull(payloadType, "payloadType");
        requireNonNull(payload, "payload");
        signatures = List.copyOf(requireNonNull(signatures, "signatures"));
        if (signatures.isEmpty()) throw new IllegalArgumentException("envelope has no signatures");
    }
}
