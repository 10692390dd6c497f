package io.assay.protocol.log;

import io.assay.protocol.ProtocolException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/** A 32-byte SHA-256 tree hash (leaf, node or root). Immutable; equal by content. */
public final class TreeHash {
    public static final int SIZE = 32;
    private final byte[] bytes;

    private TreeHash(byte[] bytes) {
        if (bytes.length != SIZE) throw new ProtocolException("a tree hash is 32 bytes, got " + bytes.length);
        this.bytes = bytes;
    }

    public static TreeHash of(byte[] bytes) {
        return new TreeHash(bytes.clone());
    }

    /** Parses standard base64 of 32 bytes. */
    public static TreeHash fromBase64(String base64) {
        try {
            return new TreeHash(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("hash \"" + base64 + "\" is not standard base64", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Feeds the hash to a digest without copying. */
    void updateDigest(MessageDigest md) {
        md.update(bytes);
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeHash h && MessageDigest.isEqual(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return base64();
    }
}
