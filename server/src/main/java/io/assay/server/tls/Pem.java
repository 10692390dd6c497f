package io.assay.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM files: certificate chains, private keys (PKCS#8, SEC1 EC, PKCS#1 RSA), fingerprints. */
public final class Pem {
    private Pem() {}

    /** Every certificate in {@code file}, in file order (server certificate first, then its CA). */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) certs.add(new JcaX509CertificateConverter().getCertificate(h));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new TlsException("Cannot read certificates from " + file + " (" + e.getMessage() + "). It must be a PEM"
                    + " file with -----BEGIN CERTIFICATE----- blocks; make one with 'assay-server tls init'.", e);
        }
        if (certs.isEmpty()) {
            throw new TlsException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----); make one with"
                    + " 'assay-server tls init' or point at your site's certificate file.");
        }
        return certs;
    }

    /** The one private key in {@code file}. */
    public static PrivateKey readPrivateKey(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            while ((o = p.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsException("Cannot read the private key from " + file + " (" + e.getMessage() + "). It must be"
                    + " an unencrypted PEM key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY) readable by this user.", e);
        }
        throw new TlsException(file + " holds no unencrypted PEM private key; encrypted keys are not supported"
                + " (the collector restarts unattended). Decrypt it with openssl pkey, keep the file mode 0600.");
    }

    /** {@code objects} (certificates; private keys go out as PKCS#8 "PRIVATE KEY") as PEM text. */
    public static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey k) {
                    w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
                } else {
                    w.writeObject(o);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }

    /** {@code sha256:} and the lower-case hex SHA-256 of the certificate's DER encoding. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }
}
