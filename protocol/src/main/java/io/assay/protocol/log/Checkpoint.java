package io.assay.protocol.log;

import io.assay.protocol.ProtocolException;
import io.assay.protocol.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A C2SP {@code tlog-checkpoint} body: the origin line (the log's name), the tree size in
 * decimal, the base64 root hash, each ending in a newline. Extension lines are not used by
 * Assay and are refused when parsing, so one size and root have exactly one body.
 */
public record Checkpoint(String origin, long size, TreeHash root) {
    public Checkpoint {
        if (origin == null || origin.isEmpty() || origin.contains("\n")) {
            throw new ProtocolException("a checkpoint origin must be one non-empty line");
        }
        if (size < 0) throw new ProtocolException("a checkpoint size must be >= 0, was " + size);
        if (root == null) throw new ProtocolException("a checkpoint needs a root hash");
    }

    /** The note text that is signed. */
    public String body() {
        return origin + "\n" + size + "\n" + root.base64() + "\n";
    }

    public byte[] bodyBytes() {
        return body().getBytes(StandardCharsets.UTF_8);
    }

    public static Checkpoint parseBody(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length != 4 || !lines[3].isEmpty()) {
            throw new ProtocolException("a checkpoint body is exactly three lines (origin, size, root hash); got "
                    + (lines.length - 1));
        }
        long size;
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new ProtocolException("checkpoint size \"" + lines[1] + "\" is not a decimal without leading zeroes");
        }
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new ProtocolException("checkpoint size \"" + lines[1] + "\" does not fit 63 bits", e);
        }
        return new Checkpoint(lines[0], size, TreeHash.fromBase64(lines[2]));
    }

    /** Signs this checkpoint with the log's key and returns the signed note. */
    public SignedNote sign(NoteSigner logKey) {
        if (!logKey.name().equals(origin)) {
            throw new IllegalArgumentException("log key " + logKey.name() + " cannot sign a checkpoint of " + origin);
        }
        return new SignedNote(body(), List.of(logKey.sign(body())));
    }

    /**
     * Parses a signed checkpoint note and verifies the log's signature on it; cosignature lines
     * stay in the returned note for {@link Cosignature#verify}.
     *
     * @throws VerificationException no valid signature by {@code logKey}, or another origin
     */
    public static Verified open(String note, NoteVerifierKey logKey) throws VerificationException {
        SignedNote sn = SignedNote.parse(note);
        Checkpoint cp = parseBody(sn.text());
        if (!cp.origin().equals(logKey.name())) {
            throw new VerificationException("checkpoint is of log \"" + cp.origin() + "\", not of \"" + logKey.name()
                    + "\" whose key was given");
        }
        if (logKey.type() != NoteVerifierKey.ED25519) throw new VerificationException("the log key is not an Ed25519 note key");
        List<SignedNote.Signature> mine = sn.signaturesBy(logKey);
        if (mine.isEmpty()) {
            throw new VerificationException("checkpoint carries no signature by log key " + logKey.name() + "+"
                    + logKey.keyHashHex());
        }
        for (SignedNote.Signature s : mine) {
            logKey.publicKey().verify(sn.text().getBytes(StandardCharsets.UTF_8), s.signature());
        }
        return new Verified(cp, sn);
    }

    /** A checkpoint whose log signature verified, with the note it came in. */
    public record Verified(Checkpoint checkpoint, SignedNote note) {}
}
