package io.assay.server.cli;

import io.assay.server.tls.Pem;
import io.assay.server.tls.SiteCa;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assay-server tls init | fingerprint}: a site CA and server certificate for sites without a PKI. */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "Certificates for HTTPS: make a site CA and the collector's certificate, show fingerprints.",
        subcommands = {TlsCommand.Init.class, TlsCommand.Fingerprint.class})
final class TlsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use init or fingerprint.");
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Make a site CA in DIR (kept if there is one) and a fresh server certificate for the --host"
                    + " names, signed by it. Run it again to renew: a running collector picks up the new certificate.",
                    "Files: ca.crt, ca.key (0600), server.crt (certificate + CA), server.key (0600)."})
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Directory for the files (created if missing).")
        Path dir;

        @Option(names = "--host", required = true, arity = "1..*", paramLabel = "NAME",
                description = "A DNS name or IP address agents use to reach the collector; repeat for each.")
        List<String> hosts;

        @Override
        public Integer call() {
            SiteCa.Result r = new SiteCa(new SecureRandom(), Clock.systemUTC()).init(dir, hosts);
            System.out.println((r.caCreated() ? "Made site CA " : "Kept site CA ") + dir.resolve(SiteCa.CA_CERT)
                    + "\n  fingerprint " + Pem.fingerprint(r.ca()));
            System.out.println("Made server certificate " + dir.resolve(SiteCa.SERVER_CERT) + " for " + String.join(", ", hosts)
                    + ", valid until " + r.server().getNotAfter().toInstant());
            System.out.println("Serve with:  assay-server serve --tls-cert " + dir.resolve(SiteCa.SERVER_CERT) + " --tls-key "
                    + dir.resolve(SiteCa.SERVER_KEY) + " ...");
            System.out.println("Enroll with: assay-agent enroll --server https://" + hosts.get(0) + ":8440 --ca ca.crt ..."
                    + "\n         or: assay-agent enroll ... --ca-fingerprint " + Pem.fingerprint(r.ca()));
            System.out.println("Keep " + dir.resolve(SiteCa.CA_KEY) + " safe (offline once hosts are enrolled): whoever has it"
                    + " can impersonate the collector to every agent.");
            return 0;
        }
    }

    @Command(name = "fingerprint", mixinStandardHelpOptions = true,
            description = "Print the SHA-256 fingerprint of each certificate in a PEM file (what agents are asked to confirm).")
    static final class Fingerprint implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "FILE", description = "A PEM certificate file, e.g. ca.crt")
        Path file;

        @Override
        public Integer call() {
            for (X509Certificate c : Pem.readCertificates(file)) {
                System.out.println(Pem.fingerprint(c) + "  " + c.getSubjectX500Principal().getName());
            }
            return 0;
        }
    }
}
