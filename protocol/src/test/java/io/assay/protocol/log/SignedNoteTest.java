package io.assay.protocol.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.VerificationException;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SignedNoteTest {

    /** The example key pair of Go's sumdb/note documentation: our key hash must agree with Go's. */
    @Test
    void parsesGoDocumentationKeyPair() {
        NoteVerifierKey vkey = NoteVerifierKey.parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
        NoteSigner skey = NoteSigner.parse("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
        assertThat(skey.verifierKey()).isEqualTo(vkey);
        assertThat(vkey.encode()).isEqualTo("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    }

    @Test
    void refusesVerifierKeyWhoseHashDoesNotMatch() {
        assertThatThrownBy(() -> NoteVerifierKey.parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("does not match");
    }

    @Test
    void checkpointSignsOpensAndRefusesEdits() throws VerificationException {
        NoteSigner log = new NoteSigner("assay.example/log", NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
        Checkpoint cp = new Checkpoint("assay.example/log", 12, Merkle.leafHash(new byte[] {7}));
        String note = cp.sign(log).encode();
        assertThat(note).startsWith("assay.example/log\n12\n").contains("\n\n\u2014 assay.example/log ");
        assertThat(Checkpoint.open(note, log.verifierKey()).checkpoint()).isEqualTo(cp);

        String edited = note.replace("\n12\n", "\n13\n");
        assertThatThrownBy(() -> Checkpoint.open(edited, log.verifierKey())).isInstanceOf(VerificationException.class);
        NoteSigner other = new NoteSigner("assay.example/log", NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
        assertThatThrownBy(() -> Checkpoint.open(note, other.verifierKey()))
                .isInstanceOf(VerificationException.class).hasMessageContaining("no signature by log key");
    }

    @Test
    void cosignatureVerifiesOnlyOnItsCheckpoint() throws VerificationException {
        NoteSigner witness = new NoteSigner("witness.example/w1", NoteVerifierKey.COSIGNATURE_V1,
                Ed25519Signer.generate(new SecureRandom()));
        Checkpoint cp = new Checkpoint("assay.example/log", 5, Merkle.leafHash(new byte[] {1}));
        SignedNote.Signature line = Cosignature.sign(witness, 1_700_000_000L, cp);
        SignedNote.Signature reparsed = SignedNote.Signature.parseLine(line.line());
        assertThat(Cosignature.verify(witness.verifierKey(), reparsed, cp)).isEqualTo(1_700_000_000L);
        Checkpoint other = new Checkpoint("assay.example/log", 6, cp.root());
        assertThatThrownBy(() -> Cosignature.verify(witness.verifierKey(), reparsed, other))
                .isInstanceOf(VerificationException.class);
    }

    @Test
    void noteSignerKeyFileRoundTrips() {
        NoteSigner s = new NoteSigner("a.example/x", NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
        assertThat(NoteSigner.parse(s.encodeForKeyFile()).verifierKey()).isEqualTo(s.verifierKey());
    }
}
