package io.assay.protocol.log;

import io.assay.protocol.Ed25519PublicKey;
import io.assay.protocol.Hashes;
import io.assay.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A C2SP signed-note verifier key: {@code name+keyhash+base64(type || public key)}, the string
 * Go's {@code golang.org/x/mod/sumdb/note.NewVerifier} takes. The key hash is the first four
 * bytes of {@code SHA-256(name || "\n" || type || public key)}, written as eight hex digits.
 *
 * @param type {@link #ED25519} for a log's note signatures, {@link #COSIGNATURE_V1} for a
 *     witness's {@code tlog-cosignature/v1} timestamped signatures
 */
public record NoteVerifierKey(String name, int type, Ed25519PublicKey publicKey) {
    public static final int ED25519 = 0x01;
    public static final int COSIGNATURE_V1 = 0x04;

    public NoteVerifierKey {
        checkName(name);
        if (type != ED25519 && type != COSIGNATURE_V1) {
            throw new ProtocolException("unknown note key type 0x" + Integer.toHexString(type)
                    + "; this build knows 0x01 (Ed25519) and 0x04 (cosignature/v1)");
        }
    }

    /** A key name must be non-empty, with no whitespace and no '+' (the vkey separator). */
    static void checkName(String name) {
        if (name == null || name.isEmpty()) throw new ProtocolException("a note key name must not be empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '+' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new ProtocolException("note key name \"" + name + "\" contains '+', whitespace or a control"
                        + " character");
            }
        }
    }

    /** Parses {@code name+hash+base64(type||key)}; refuses a hash that does not match the key. */
    public static NoteVerifierKey parse(String vkey) {
        String s = vkey.strip();
        int a = s.indexOf('+');
        int b = a < 0 ? -1 : s.indexOf('+', a + 1);
        if (a <= 0 || b < 0) {
            throw new ProtocolException("\"" + s + "\" is not a note verifier key (name+hash+base64 key)");
        }
        String name = s.substring(0, a);
        String hash = s.substring(a + 1, b);
        byte[] key;
        try {
            key = Base64.getDecoder().decode(s.substring(b + 1));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("note verifier key " + name + ": the key is not standard base64", e);
        }
        if (key.length != 33) {
            throw new ProtocolException("note verifier key " + name + ": expected 1 type byte and 32 key bytes, got "
                    + key.length + " bytes");
        }
        NoteVerifierKey k = new NoteVerifierKey(name, key[0] & 0xff,
                Ed25519PublicKey.fromRaw(Arrays.copyOfRange(key, 1, 33)));
        if (!k.keyHashHex().equals(hash)) {
            throw new ProtocolException("note verifier key " + name + ": key hash " + hash + " does not match the key ("
                    + k.keyHashHex() + ")");
        }
        return k;
    }

    /** The 4-byte key hash as an unsigned 32-bit number. */
    public int keyHash() {
        return keyHash(name, type, publicKey.raw());
    }

    static int keyHash(String name, int type, byte[] rawKey) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] in = new byte[n.length + 2 + rawKey.length];
        System.arraycopy(n, 0, in, 0, n.length);
        in[n.length] = '\n';
        in[n.length + 1] = (byte) type;
        System.arraycopy(rawKey, 0, in, n.length + 2, rawKey.length);
        byte[] h = Hashes.sha256(in);
        return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    }

    public String keyHashHex() {
        return String.format("%08x", keyHash());
    }

    /** The verifier key string. */
    public String encode() {
        byte[] raw = publicKey.raw();
        byte[] typed = new byte[33];
        typed[0] = (byte) type;
        System.arraycopy(raw, 0, typed, 1, 32);
        return name + "+" + keyHashHex() + "+" + Base64.getEncoder().encodeToString(typed);
    }

    @Override
    public String toString() {
        return encode();
    }
}
