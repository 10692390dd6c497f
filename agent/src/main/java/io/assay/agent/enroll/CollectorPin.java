package io.assay.agent.enroll;

import io.assay.agent.ship.CollectorTrust;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides, at enrollment, which certificate this host pins for its collector: the CA given with
 * {@code --ca}, or the one the collector presents when its fingerprint is the one given with
 * {@code --ca-fingerprint} or confirmed by the operator at the terminal. Trust on first use is
 * only as good as that comparison, which is why a non-interactive enrollment without either
 * option is refused rather than trusting whatever answers.
 */
public final class CollectorPin {
    private CollectorPin() {}

    /** What to pin for {@code server}; empty for plain http (nothing to pin). */
    public static Optional<X509Certificate> decide(URI server, Optional<Path> caFile, Optional<String> fingerprint,
            Optional<Console> console, Duration timeout, PrintStream out) {
        if (!"https".equalsIgnoreCase(server.getScheme())) {
            if (caFile.isPresent() || fingerprint.isPresent()) {
                throw new EnrollException("--ca and --ca-fingerprint need an https:// --server; " + server
                        + " is plain HTTP.", true);
            }
            return Optional.empty();
        }
        if (caFile.isPresent()) {
            try {
                return Optional.of(CollectorTrust.readCertificate(caFile.get()));
            } catch (IllegalArgumentException e) {
                throw new EnrollException(e.getMessage(), true);
            }
        }
        List<X509Certificate> chain;
        try {
            chain = CollectorTrust.presentedChain(server, timeout);
        } catch (IOException e) {
            throw new EnrollException("Cannot reach the collector at " + server + " over TLS (" + e + "). Check the"
                    + " URL and that the collector serves HTTPS there; then enroll again.", e);
        }
        if (chain.isEmpty()) throw new EnrollException("The collector at " + server + " presented no certificate.", false);
        // The topmost certificate presented: the site CA when the collector sends its chain
        // (as 'assay-server tls init' sets it up), else the server's own certificate.
        X509Certificate top = chain.get(chain.size() - 1);
        String seen = CollectorTrust.fingerprint(top);
        if (fingerprint.isPresent()) {
            String want = fingerprint.get().trim().toLowerCase(Locale.ROOT).replace(":", "").replace("sha256", "");
            for (X509Certificate c : chain) {
                if (CollectorTrust.fingerprint(c).replace("sha256:", "").equals(want)) return Optional.of(c);
            }
            throw new EnrollException("The collector at " + server + " presents " + describe(top) + ", not the"
                    + " certificate with fingerprint " + fingerprint.get() + ". Do not enroll against it: check the URL,"
                    + " and compare with 'assay-server tls fingerprint ca.crt' on the collector.", false);
        }
        if (console.isPresent()) {
            out.println("The collector at " + server + " presents " + describe(top) + ".");
            out.println("Compare this fingerprint with 'assay-server tls fingerprint ca.crt' on the collector.");
            String answer = console.get().readLine("Pin it and trust only it from now on? [y/N] ");
            if (answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) return Optional.of(top);
            throw new EnrollException("Not enrolled: the collector's certificate was not confirmed.", true);
        }
        throw new EnrollException("The collector at " + server + " presents " + describe(top) + ", and this"
                + " host cannot tell whether that is your collector. Compare the fingerprint with 'assay-server tls"
                + " fingerprint ca.crt' on the collector, then run enroll again with --ca-fingerprint " + seen
                + " (or --ca with a copy of ca.crt).", true);
    }

    private static String describe(X509Certificate c) {
        return "certificate '" + c.getSubjectX500Principal().getName() + "' with fingerprint " + CollectorTrust.fingerprint(c);
    }
}
