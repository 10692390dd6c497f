package io.assay.protocol.log;

import io.assay.protocol.VerificationException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code c2sp.org/tlog-cosignature} v1 with Ed25519: a witness's statement that, as of a time,
 * the checkpoint is the largest consistent tree it has seen of that log. The signature line's
 * bytes are {@code keyhash || u64 timestamp (big-endian) || Ed25519 signature} over
 * {@code "cosignature/v1\ntime <seconds>\n" || checkpoint body}.
 */
public final class Cosignature {
    private Cosignature() {}

    static byte[] message(long timestampSeconds, String checkpointBody) {
        return ("cosignature/v1\ntime " + timestampSeconds + "\n" + checkpointBody).getBytes(StandardCharsets.UTF_8);
    }

    /** Cosigns {@code checkpoint} at {@code timestampSeconds} (POSIX) with a type 0x04 key. */
    public static SignedNote.Signature sign(NoteSigner witness, long timestampSeconds, Checkpoint checkpoint) {
        if (witness.type() != NoteVerifierKey.COSIGNATURE_V1) {
            throw new IllegalArgumentException("witness key " + witness.name() + " is not a cosignature/v1 key");
        }
        byte[] sig = witness.signRaw(message(timestampSeconds, checkpoint.body()));
        byte[] body = ByteBuffer.allocate(8 + sig.length).putLong(timestampSeconds).put(sig).array();
        return new SignedNote.Signature(witness.name(), witness.verifierKey().keyHash(), body);
    }

    /**
     * Verifies a cosignature line of {@code witness} on {@code checkpoint}.
     *
     * @return the cosignature's timestamp (POSIX seconds)
     * @throws VerificationException the line is not a valid cosignature by that key on that checkpoint
     */
    public static long verify(NoteVerifierKey witness, SignedNote.Signature line, Checkpoint checkpoint)
            throws VerificationException {
        if (witness.type() != NoteVerifierKey.COSIGNATURE_V1) {
            throw new VerificationException("witness key " + witness.name() + " is not a cosignature/v1 (0x04) key");
        }
        if (!line.name().equals(witness.name()) || line.keyHash() != witness.keyHash()) {
            throw new VerificationException("signature line is not by witness " + witness.name());
        }
        byte[] b = line.signature();
        if (b.length != 8 + 64) throw new VerificationException("cosignature by " + witness.name() + " has "
                + b.length + " bytes; a timestamped Ed25519 signature has 72");
        long ts = ByteBuffer.wrap(b).getLong();
        if (ts < 0) throw new VerificationException("cosignature by " + witness.name() + " has a negative timestamp");
        witness.publicKey().verify(message(ts, checkpoint.body()), Arrays.copyOfRange(b, 8, b.length));
        return ts;
    }
}
