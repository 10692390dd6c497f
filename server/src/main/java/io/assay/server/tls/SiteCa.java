package io.assay.server.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A site CA and the collector's server certificate, for sites without a PKI. ECDSA P-256 keys,
 * SHA-256 signatures. The CA signs server certificates only (path length 0); the server
 * certificate names every {@code --host} as a DNS name or IP address, because agents check it.
 *
 * <p>Files in the directory: {@code ca.crt}, {@code ca.key} (0600; keep it offline once agents are
 * enrolled), {@code server.crt} (server certificate followed by the CA, so agents are shown the
 * CA on first use), {@code server.key} (0600).
 */
public final class SiteCa {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.crt";
    public static final String SERVER_KEY = "server.key";
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration SERVER_VALIDITY = Duration.ofDays(397); // what browsers accept; renew by running init again

    /** What {@link #init} did. */
    public record Result(X509Certificate ca, boolean caCreated, X509Certificate server, Path dir) {}

    private final SecureRandom random;
    private final Clock clock;

    public SiteCa(SecureRandom random, Clock clock) {
        this.random = requireNonNull(random, "random");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Makes the CA in {@code dir} unless one is there already, then a fresh server certificate and
     * key for {@code hosts} (replacing the old ones atomically, so a running collector reloads them).
     */
    public Result init(Path dir, List<String> hosts) {
        if (hosts.isEmpty()) throw new TlsException("Name at least one --host (the name or address agents use).");
        try {
            Files.createDirectories(dir);
            Path caCert = dir.resolve(CA_CERT);
            Path caKeyFile = dir.resolve(CA_KEY);
            X509Certificate ca;
            PrivateKey caKey;
            boolean created = false;
            if (Files.exists(caCert) || Files.exists(caKeyFile)) {
                ca = Pem.readCertificates(caCert).get(0);
                caKey = Pem.readPrivateKey(caKeyFile);
            } else {
                KeyPair pair = newKeyPair();
                ca = caCertificate(pair, hosts.get(0));
                caKey = pair.getPrivate();
                writeAtomically(caKeyFile, Pem.write(caKey), true);
                writeAtomically(caCert, Pem.write(ca), false);
                created = true;
            }
            KeyPair serverPair = newKeyPair();
            X509Certificate server = serverCertificate(serverPair, ca, caKey, hosts);
            writeAtomically(dir.resolve(SERVER_KEY), Pem.write(serverPair.getPrivate()), true);
            writeAtomically(dir.resolve(SERVER_CERT), Pem.write(server, ca), false);
            return new Result(ca, created, server, dir);
        } catch (IOException e) {
            throw new TlsException("Cannot write the certificates in " + dir + " (" + e.getMessage()
                    + "). Check that the directory is writable.", e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("certificate generation failed", e);
        }
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private X509Certificate caCertificate(KeyPair pair, String site) throws GeneralSecurityException,
            OperatorCreationException, IOException {
        Instant now = clock.instant();
        X500Name name = new X500Name("CN=Assay site CA " + site.replaceAll("[,=+<>#;\"\\\\]", "_"));
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(300)),
                Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        return sign(b, pair.getPrivate());
    }

    private X509Certificate serverCertificate(KeyPair pair, X509Certificate ca, PrivateKey caKey, List<String> hosts)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = clock.instant();
        X500Name subject = new X500Name("CN=" + hosts.get(0).replaceAll("[,=+<>#;\"\\\\]", "_"));
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minusSeconds(300)),
                Date.from(now.plus(SERVER_VALIDITY)), subject, pair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        List<GeneralName> names = new ArrayList<>();
        for (String h : hosts) {
            names.add(isAddress(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        return sign(b, caKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private BigInteger serial() {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    /** An IPv4 or IPv6 literal (never resolves a name). */
    static boolean isAddress(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":")) {
            try {
                InetAddress.getByName(host);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /** Writes through a temporary file and a rename; secret files are 0600 from their creation. */
    static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
