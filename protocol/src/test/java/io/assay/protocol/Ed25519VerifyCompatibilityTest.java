package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The collector verifies with BouncyCastle's RFC 8032 code because it is several times faster than
 * the JDK's provider; this checks both agree on the same keys and signatures, and on RFC 8032's vectors.
 */
class Ed25519VerifyCompatibilityTest {
    private static final HexFormat HEX = HexFormat.of();
    // RFC 8032 section 7.1 wraps raw keys in these DER prefixes (RFC 8410).
    private static final byte[] SPKI_PREFIX = HEX.parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HEX.parseHex("302e020100300506032b657004220420");

    @Test
    void rfc8032TestVectors() throws Exception {
        String[][] vectors = {
            {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
             "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
            {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
             "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        };
        for (String[] v : vectors) {
            Ed25519Signer signer = Ed25519Signer.fromSeed(HEX.parseHex(v[0]));
            byte[] message = HEX.parseHex(v[2]);
            assertThat(HEX.formatHex(signer.publicKey().raw())).as("public key of test %s", v[0]).isEqualTo(v[1]);
            assertThat(HEX.formatHex(signer.sign(message))).as("signature of test %s", v[0]).isEqualTo(v[3]);
            signer.publicKey().verify(message, HEX.parseHex(v[3]));
        }
    }

    @Test
    void bouncyCastleAndJdkAgreeOnSignaturesBothWays() throws Exception {
        for (int i = 0; i < 50; i++) {
            Ed25519Signer signer = Ed25519Signer.generate(Fixtures.RANDOM);
            byte[] message = new byte[i * 7];
            Fixtures.RANDOM.nextBytes(message);

            byte[] bcSig = signer.sign(message);
            Signature jdkVerify = Signature.getInstance("Ed25519");
            jdkVerify.initVerify(jdkPublic(signer.publicKey().raw()));
            jdkVerify.update(message);
            assertThat(jdkVerify.verify(bcSig)).as("JDK verifies BouncyCastle's signature").isTrue();

            Signature jdkSign = Signature.getInstance("Ed25519");
            jdkSign.initSign(jdkPrivate(signer.exportSeedForKeyFile()));
            jdkSign.update(message);
            byte[] jdkSig = jdkSign.sign();
            assertThat(jdkSig).as("Ed25519 is deterministic: same signature").isEqualTo(bcSig);
            signer.publicKey().verify(message, jdkSig);
        }
    }

    @Test
    void bothRejectTheSameTamperedSignature() throws Exception {
        Ed25519Signer signer = Ed25519Signer.generate(Fixtures.RANDOM);
        byte[] message = "report".getBytes();
        for (int i : new int[] {10, 40}) { // one byte in R, one in S
            byte[] sig = signer.sign(message);
            sig[i] ^= 0x40;

        assertThat(jdkAccepts(signer.publicKey().raw(), message, sig)).isFalse();
            assertThatThrownBy(() -> signer.publicKey().verify(message, sig)).isInstanceOf(VerificationException.class);
        }
    }

    /** The JDK answers false for a bad S but throws for an R that is not a curve point: both mean no. */
    private static boolean jdkAccepts(byte[] publicKey, byte[] message, byte[] sig) throws Exception {
        Signature jdkVerify = Signature.getInstance("Ed25519");
        jdkVerify.initVerify(jdkPublic(publicKey));
        jdkVerify.update(message);
        try {
            return jdkVerify.verify(sig);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private static PublicKey jdkPublic(byte[] raw) throws Exception {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, raw)));
    }

    private static PrivateKey jdkPrivate(byte[] seed) throws Exception {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
