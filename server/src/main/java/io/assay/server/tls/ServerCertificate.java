package io.assay.server.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty TLS context of the collector, loaded from PEM files, and reloaded when they change
 * (a renewed certificate takes effect for new connections without a restart; open connections
 * keep theirs). A broken renewal is logged and the running certificate stays.
 */
public final class ServerCertificate {
    private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);
    private static final char[] PASSWORD = "assay".toCharArray(); // in-memory key store only

    private final TlsConfig config;
    private final SslContextFactory.Server factory = new SslContextFactory.Server();
    private volatile Stamp loaded;

    private record Stamp(FileTime certTime, long certSize, FileTime keyTime, long keySize) {}

    /** Loads the files now; a problem with them stops the start with a clear message. */
    public ServerCertificate(TlsConfig config) {
        this.config = requireNonNull(config, "config");
        Stamp stamp = stamp();
        factory.setKeyStore(keyStore());
        factory.setKeyStorePassword(new String(PASSWORD));
        factory.setKeyManagerPassword(new String(PASSWORD));
        // HTTP/2 forbids the ciphers TLS 1.2 allows without forward secrecy; Jetty's defaults respect that.
        factory.setSniRequired(false);
        this.loaded = stamp;
    }

    public SslContextFactory.Server factory() {
        return factory;
    }

    /** Checks the files every {@link TlsConfig#reloadCheck()} on {@code scheduler}. */
    public void watch(Scheduler scheduler) {
        scheduler.schedule(() -> {
            try {
                reloadIfChanged();
            } finally {
                if (scheduler.isRunning()) watch(scheduler);
            }
        }, config.reloadCheck());
    }

    /** Reloads when the files' time or size changed; true when a new certificate is in use. */
    public boolean reloadIfChanged() {
        Stamp now;
        try {
            now = stamp();
        } catch (TlsException e) {
            log.warn("TLS: {}; keeping the certificate in use", e.getMessage());
            return false;
        }
        if (Objects.equals(now, loaded)) return false;
        try {
            KeyStore ks = keyStore();
            factory.reload(f -> f.setKeyStore(ks));
            loaded = now;
            return true;
        } catch (TlsException e) {
            log.warn("TLS: the changed certificate files cannot be used ({}); keeping the certificate in use", e.getMessage());
            return false;
        } catch (Exception e) {
            log.warn("TLS: reloading {} failed ({}); keeping the certificate in use", config.certFile(), e.toString());
            return false;
        }
    }

    private Stamp stamp() {
        try {
            return new Stamp(Files.getLastModifiedTime(config.certFile()), Files.size(config.certFile()),
                    Files.getLastModifiedTime(config.keyFile()), Files.size(config.keyFile()));
        } catch (IOException e) {
            throw new TlsException("cannot read " + e.getMessage() + "; check --tls-cert and --tls-key", e);
        }
    }

    /** A key that does not belong to the certificate would fail every handshake; say so at load instead. */
    private void requireMatch(X509Certificate cert, PrivateKey key) {
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA"
                    : key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : key.getAlgorithm();
            byte[] probe = "assay key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature sign = java.security.Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(alg);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (verify.verify(sig)) return;
        } catch (GeneralSecurityException e) {
            // falls through to the message below
        }
        throw new TlsException("the key in " + config.keyFile() + " does not belong to the certificate in "
                + config.certFile() + "; pass the key that was made with that certificate");
    }

    private KeyStore keyStore() {
        List<X509Certificate> chain = Pem.readCertificates(config.certFile());
        PrivateKey key = Pem.readPrivateKey(config.keyFile());
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new TlsException("the key in " + config.keyFile() + " (" + key.getAlgorithm() + ") does not belong to"
                    + " the certificate in " + config.certFile() + " (" + chain.get(0).getPublicKey().getAlgorithm() + ")");
        }
        requireMatch(chain.get(0), key);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, PASSWORD, chain.toArray(X509Certificate[]::new));
            log.info("TLS: certificate {} (valid until {}, {}) from {}", chain.get(0).getSubjectX500Principal().getName(),
                    chain.get(0).getNotAfter().toInstant(), Pem.fingerprint(chain.get(0)), config.certFile());
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("the key in " + config.keyFile() + " does not fit the certificate in "
                    + config.certFile() + " (" + e.getMessage() + ")", e);
        }
    }
}
