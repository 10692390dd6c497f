package io.assay.protocol.log;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A named Ed25519 key that signs notes (type {@link NoteVerifierKey#ED25519}) or cosigns
 * checkpoints (type {@link NoteVerifierKey#COSIGNATURE_V1}). Its key file holds Go's signer key
 * string {@code PRIVATE+KEY+name+hash+base64(type || seed)}, so the same file works with
 * {@code note.NewSigner}. Thread-safe.
 */
public final class NoteSigner {
    private static final String PREFIX = "PRIVATE+KEY+";
    private final String name;
    private final int type;
    private final Ed25519Signer key;
    private final NoteVerifierKey verifierKey;

    public NoteSigner(String name, int type, Ed25519Signer key) {
        this.verifierKey = new NoteVerifierKey(name, type, key.publicKey());
        this.name = name;
        this.type = type;
        this.key = key;
    }

    /** Parses a signer key string (see the class comment). Never echoes the key in messages. */
    public static NoteSigner parse(String skey) {
        String s = skey.strip();
        if (!s.startsWith(PREFIX)) throw new ProtocolException("not a note signer key: it must start with " + PREFIX);
        String[] parts = s.substring(PREFIX.length()).split("\\+", 3);
        if (parts.length != 3) throw new ProtocolException("not a note signer key: expected PRIVATE+KEY+name+hash+key");
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("note signer key " + parts[0] + ": the key is not base64");
        }
        if (raw.length != 33) throw new ProtocolException("note signer key " + parts[0] + ": expected 33 key bytes");
        NoteSigner signer = new NoteSigner(parts[0], raw[0] & 0xff, Ed25519Signer.fromSeed(Arrays.copyOfRange(raw, 1, 33)));
        if (!signer.verifierKey.keyHashHex().equals(parts[1])) {
            throw new ProtocolException("note signer key " + parts[0] + ": key hash " + parts[1] + " does not match");
        }
        return signer;
    }

    /** The signer key string for the key file (mode 0600); awkwardly named on purpose. */
    public String encodeForKeyFile() {
        byte[] seed = key.exportSeedForKeyFile();
        byte[] typed = new byte[33];
        typed[0] = (byte) type;
        System.arraycopy(seed, 0, typed, 1, 32);
        return PREFIX + name + "+" + verifierKey.keyHashHex() + "+" + Base64.getEncoder().encodeToString(typed);
    }

    public String name() {
        return name;
    }

    public NoteVerifierKey verifierKey() {
        return verifierKey;
    }

    /** A note signature over {@code text} (type 0x01 only). */
    public SignedNote.Signature sign(String text) {
        if (type != NoteVerifierKey.ED25519) throw new IllegalStateException("a cosigner key signs with Cosignature");
        byte[] sig = key.sign(text.getBytes(StandardCharsets.UTF_8));
        return new SignedNote.Signature(name, verifierKey.keyHash(), sig);
    }

    /** Raw Ed25519 signature over {@code message}, for {@link Cosignature}. */
    byte[] signRaw(byte[] message) {
        return key.sign(message);
    }

    int type() {
        return type;
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifierKey.encode() + "]";
    }
}
