package io.assay.protocol.log;

import io.assay.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note: UTF-8 text ending in a newline, a blank line, then signature lines
 * {@code — name base64(keyhash || signature)} (U+2014, space). As in Go's {@code note.Open}, the
 * signature block starts after the last blank line.
 */
public record SignedNote(String text, List<Signature> signatures) {
    static final String DASH = "\u2014 ";

    /** One signature line. {@code keyHash} is the 32-bit key hash; {@code signature} what follows it. */
    public record Signature(String name, int keyHash, byte[] signature) {
        public Signature {
            NoteVerifierKey.checkName(name);
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        public String line() {
            byte[] b = ByteBuffer.allocate(4 + signature.length).putInt(keyHash).put(signature).array();
            return DASH + name + " " + Base64.getEncoder().encodeToString(b) + "\n";
        }

        /** Parses one line (with or without its newline). */
        public static Signature parseLine(String line) {
            String l = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            if (!l.startsWith(DASH)) throw new ProtocolException("signature line does not start with \"\u2014 \": " + l);
            int sp = l.indexOf(' ', DASH.length());
            if (sp < 0) throw new ProtocolException("signature line has no signature: " + l);
            byte[] b;
            try {
                b = Base64.getDecoder().decode(l.substring(sp + 1));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("signature line's signature is not base64: " + l, e);
            }
            if (b.length < 5) throw new ProtocolException("signature line's signature is too short: " + l);
            int hash = ByteBuffer.wrap(b).getInt();
            return new Signature(l.substring(DASH.length(), sp), hash, Arrays.copyOfRange(b, 4, b.length));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Signature s && s.name.equals(name) && s.keyHash == keyHash
                    && Arrays.equals(s.signature, signature);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + keyHash;
        }
    }

    public SignedNote {
        if (!text.endsWith("\n")) throw new ProtocolException("a note's text must end with a newline");
        signatures = List.copyOf(signatures);
    }

    public static SignedNote parse(String note) {
        int split = note.lastIndexOf("\n\n");
        if (split < 0) throw new ProtocolException("not a signed note: no blank line before the signatures");
        String text = note.substring(0, split + 1);
        String sigs = note.substring(split + 2);
        if (!sigs.endsWith("\n")) throw new ProtocolException("signed note does not end with a newline");
        List<Signature> out = new ArrayList<>();
        for (String line : sigs.split("\n")) out.add(Signature.parseLine(line));
        if (out.isEmpty()) throw new ProtocolException("signed note has no signatures");
        return new SignedNote(text, out);
    }

    public String encode() {
        StringBuilder sb = new StringBuilder(text).append('\n');
        signatures.forEach(s -> sb.append(s.line()));
        return sb.toString();
    }

    public byte[] encodeBytes() {
        return encode().getBytes(StandardCharsets.UTF_8);
    }

    /** This note with {@code more} added, skipping lines it already carries. */
    public SignedNote withSignatures(List<Signature> more) {
        List<Signature> all = new ArrayList<>(signatures);
        for (Signature s : more) if (!all.contains(s)) all.add(s);
        return new SignedNote(text, all);
    }

    /** The signatures that claim to be by {@code key} (same name and key hash). */
    public List<Signature> signaturesBy(NoteVerifierKey key) {
        return signatures.stream().filter(s -> s.name().equals(key.name()) && s.keyHash() == key.keyHash()).toList();
    }
}
