package io.assay.protocol;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A host's Ed25519 private key. Holds the 32-byte RFC 8032 seed; never logs or prints it.
 * Thread-safe: signing keeps no state.
 */
public final class Ed25519Signer {
    private final byte[] seed;
    private final Ed25519PublicKey publicKey;

    private Ed25519Signer(byte[] seed) {
        if (seed.length != Ed25519.SECRET_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 private key seed is 32 bytes, got " + seed.length);
        }
        this.seed = seed.clone();
        byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(this.seed, 0, pk, 0);
        this.publicKey = Ed25519PublicKey.fromRaw(pk);
    }

    public static Ed25519Signer generate(SecureRandom random) {
        byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
        Ed25519.generatePrivateKey(random, seed);
        return new Ed25519Signer(seed);
    }

    public static Ed25519Signer fromSeed(byte[] seed) {
        return new Ed25519Signer(seed);
    }

    /**
     * The raw seed, for writing the key file (mode 0600). The awkward name is on purpose: anything
     * else that calls this is probably leaking the key.
     */
    public byte[] exportSeedForKeyFile() {
        return seed.clone();
    }

    public Ed25519PublicKey publicKey() {
        return publicKey;
    }

    public byte[] sign(byte[] message) {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    @Override
    public String toString() {
        return "Ed25519Signer[" + publicKey.keyId() + "]";
    }
}
