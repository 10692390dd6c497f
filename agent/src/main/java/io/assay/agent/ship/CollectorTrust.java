package io.assay.agent.ship;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The collector's CA as this host pinned it at enrollment ({@code collector-ca.pem} in the state
 * directory), and the trust decisions around it: the agent trusts that CA (or self-signed server
 * certificate) alone for its collector, not the system's CA list, so neither a mis-issued public
 * certificate nor a TLS-inspecting proxy can read the upload token or the reports.
 */
public final class CollectorTrust {
    public static final String PINNED_CA_FILE = "collector-ca.pem";

    private CollectorTrust() {}

    /** The CA pinned in {@code stateDir}, if enrollment pinned one (https collectors). */
    public static Optional<X509Certificate> readPinned(Path stateDir) {
        Path file = stateDir.resolve(PINNED_CA_FILE);
        try {
            return Optional.of(readCertificate(file));
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof NoSuchFileException) return Optional.empty();
            throw new io.assay.agent.state.StateException("The pinned collector CA " + file + " is unusable: "
                    + e.getMessage() + " Put the collector's ca.crt there again, or enroll again with --force.");
        }
    }

    /** Writes the pin (a certificate is public; 0644 is fine), atomically. */
    public static void writePinned(Path stateDir, X509Certificate ca) throws IOException {
        Path target = stateDir.resolve(PINNED_CA_FILE);
        Path tmp = target.resolveSibling(PINNED_CA_FILE + ".tmp");
        Files.writeString(tmp, pem(ca), StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The first certificate of a PEM (or DER) file. */
    public static X509Certificate readCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the certificate " + file + " (" + e + ").", e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " is not a PEM certificate (" + e.getMessage() + "); pass the"
                    + " collector's ca.crt as made by 'assay-server tls init'.", e);
        }
    }

    /** {@code sha256:} and the lower-case hex SHA-256 of the DER encoding, as 'assay-server tls' prints it. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }

    /**
     * The certificates the collector at {@code url} presents, without deciding whether to trust
     * them (nothing is sent but the TLS handshake). Used once, to show the operator what to pin.
     */
    public static List<X509Certificate> presentedChain(URI url, Duration timeout) throws IOException {
        List<X509Certificate> seen = new ArrayList<>();
        X509TrustManager record = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("not a server");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen.addAll(List.of(chain));
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {record}, new SecureRandom());
            int port = url.getPort() < 0 ? 443 : url.getPort();
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(url.getHost(), port), (int) timeout.toMillis());
                s.setSoTimeout((int) timeout.toMillis());
                s.startHandshake();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
        return seen;
    }

    /**
     * A trust manager that accepts only chains to {@code pinned}, failing with a message that says
     * what happened and what to do (it becomes the message of the handshake failure in the log).
     */
    public static X509TrustManager pinnedTrustManager(X509Certificate pinned) {
        X509TrustManager pkix;
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("collector-ca", pinned);
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(ks);
            pkix = (X509TrustManager) f.getTrustManagers()[0];
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager for the pinned CA", e);
        }
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the agent does not accept TLS clients");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    pkix.checkServerTrusted(chain, authType);
                } catch (CertificateException e) {
                    X509Certificate leaf = chain.length == 0 ? null : chain[0];
                    throw new CertificateException("The collector's certificate"
                            + (leaf == null ? "" : " (" + leaf.getSubjectX500Principal().getName() + ", "
                                    + fingerprint(leaf) + ")")
                            + " is not signed by the CA this host pinned at enrollment (" + fingerprint(pinned) + ", "
                            + PINNED_CA_FILE + " in the state directory), so the agent refuses to send it anything."
                            + " If the collector's CA was replaced on purpose, put the new ca.crt in place of "
                            + PINNED_CA_FILE + " and restart the agent; otherwise something between this host and"
                            + " the collector is intercepting the connection.", e);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[] {pinned};
            }
        };
    }

    static String pem(X509Certificate cert) {
        try {
            StringWriter w = new StringWriter();
            w.write("-----BEGIN CERTIFICATE-----\n");
            w.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded()));
            w.write("\n-----END CERTIFICATE-----\n");
            return w.toString();
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }
}
