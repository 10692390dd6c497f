package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopesTest {
    private final Ed25519Signer signer = Ed25519Signer.generate(Fixtures.RANDOM);

    @Test
    void sealedReportOpensWithThePinnedKeyToTheSameReport() throws Exception {
        Report report = Fixtures.report("h-1", 1, "");
        Envelopes.SignedReport sealed = Envelopes.seal(report, signer);

        Envelopes.SignedReport opened = Envelopes.open(sealed.envelope(), signer.publicKey());

        assertThat(opened.report()).isEqualTo(report);
        assertThat(opened.payloadHash()).isEqualTo(sealed.payloadHash()).isEqualTo(Hashes.sha256Hex(opened.payload()));
        assertThat(sealed.envelope().signatures()).singleElement()
                .extracting(Envelope.Signature::keyid).isEqualTo(signer.publicKey().keyId());
    }

    @Test
    void everySingleChangedPayloadByteIsDetected() {
        Envelope envelope = Envelopes.seal(Fixtures.report("h-1", 1, ""), signer).envelope();
        byte[] payload = Base64.getDecoder().decode(envelope.payload());
        for (int i = 0; i < payload.length; i++) {
            byte[] tampered = payload.clone();
            tampered[i] ^= 0x01;
            Envelope forged = new Envelope(envelope.payloadType(), Base64.getEncoder().encodeToString(tampered),
                    envelope.signatures());
            int at = i;
            assertThatThrownBy(() -> Envelopes.open(forged, signer.publicKey()))
                    .as("byte %d flipped", at)
                    .isInstanceOf(VerificationException.class);
        }
    }

    @Test
    void aChangedPayloadTypeIsDetectedBecauseThePaeCoversIt() {
        Envelope envelope = Envelopes.seal(Fixtures.report("h-1", 1, ""), signer).envelope();
        Envelope other = new Envelope("application/json", envelope.payload(), envelope.signatures());
        assertThatThrownBy(() -> Envelopes.open(other, signer.publicKey())).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("payloadType");
    }

    @Test
    void aReportSignedByAnotherKeyIsRefusedNamingThePinnedKeyId() {
        Ed25519Signer attacker = Ed25519Signer.generate(Fixtures.RANDOM);
        Envelope forged = Envelopes.seal(Fixtures.report("h-1", 1, ""), attacker).envelope();

        assertThatThrownBy(() -> Envelopes.open(forged, signer.publicKey()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining(signer.publicKey().keyId());
    }

    @Test
    void aForgedSignatureClaimingThePinnedKeyIdIsRefused() {
        Ed25519Signer attacker = Ed25519Signer.generate(Fixtures.RANDOM);
        Envelope forged = Envelopes.seal(Fixtures.report("h-1", 1, ""), attacker).envelope();
        Envelope relabelled = new Envelope(forged.payloadType(), forged.payload(),
                List.of(new Envelope.Signature(signer.publicKey().keyId(), forged.signatures().get(0).sig())));

        assertThatThrownBy(() -> Envelopes.open(relabelled, signer.publicKey()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("does not verify");
    }

    @Test
    void paeFollowsDsse() {
        assertThat(new String(Envelopes.pae("t/x", "hello".getBytes()))).isEqualTo("DSSEv1 3 t/x 5 hello");
    }
}
