package io.assay.server.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The collector's certificate and key, PEM files.
 *
 * @param certFile the server certificate, followed by its CA chain
 * @param keyFile its private key, unencrypted (mode 0600)
 * @param reloadCheck how often the files are checked for a renewal; default 10s
 */
public record TlsConfig(Path certFile, Path keyFile, Duration reloadCheck) {
    public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(10);

    public TlsConfig {
        requireNonNull(certFile, "certFile");
        requireNonNull(keyFile, "keyFile");
        requireNonNull(reloadCheck, "reloadCheck");
    }

    public TlsConfig(Path certFile, Path keyFile) {
        this(certFile, keyFile, DEFAULT_RELOAD_CHECK);
    }
}
