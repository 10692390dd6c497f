package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.cli.ServerMain;
import io.assay.server.store.Role;
import io.assay.server.tls.Pem;
import io.assay.server.tls.SiteCa;
import io.assay.server.tls.TlsConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from end to end with the real agent process: {@code tls init} makes the site CA and
 * certificate, the collector serves them, enrollment pins the CA, reports flow; then the
 * collector's certificate is swapped (without restart) for one from another CA, and the agent
 * refuses it with a message that says what to do.
 */
class TlsEndToEndTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir Path tmp;

    @Test
    void enrollmentPinsTheSiteCaReportsFlowOverHttpsAndAnotherCertificateIsRefused() throws Exception {
        Path site = tmp.resolve("tls");
        Path other = tmp.resolve("other-tls");
        assertThat(ServerMain.execute("tls", "init", "--dir", site.toString(), "--host", "127.0.0.1", "--host",
                "localhost")).isZero();
        assertThat(ServerMain.execute("tls", "init", "--dir", other.toString(), "--host", "127.0.0.1")).isZero();
        for (String secret : new String[] {SiteCa.CA_KEY, SiteCa.SERVER_KEY}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(site.resolve(secret)))).isEqualTo("rw-------");
        }
        // The collector watches these two files; they start as the site's own.
        Path cert = Files.copy(site.resolve(SiteCa.SERVER_CERT), tmp.resolve("live.crt"));
        Path key = Files.copy(site.resolve(SiteCa.SERVER_KEY), tmp.resolve("live.key"));
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .db(tmp.resolve("assay.db")).shutdownGrace(Duration.ofSeconds(2))
                .tls(new TlsConfig(cert, key, Duration.ofMillis(500))).build(), Clock.systemUTC())) {
            URI url = collector.url();
            assertThat(url.getScheme()).isEqualTo("https");
            String token = collector.issueToken(Role.ENROLL, "tls e2e");

            // Without --ca or --ca-fingerprint, and no terminal to ask at: refused, with the fingerprint to check.
            AgentProcess.Result blind = AgentProcess.runToEnd(tmp, "enroll", "--server", url.toString(), "--token", token,
                    "--state-dir", tmp.resolve("blind").toString());
            String caFingerprint = Pem.fingerprint(Pem.readCertificates(site.resolve(SiteCa.CA_CERT)).get(0));
            assertThat(blind.exit()).as(blind.output()).isEqualTo(2);
            assertThat(blind.output()).contains(caFingerprint).contains("--ca-fingerprint");

            AgentProcess.Result enrolled = AgentProcess.runToEnd(tmp, "enroll", "--server", url.toString(), "--token",
                    token, "--state-dir", state.toString(), "--ca", site.resolve(SiteCa.CA_CERT).toString());
            assertThat(enrolled.exit()).as(enrolled.output()).isZero();
            assertThat(enrolled.output()).contains("Pinned the collector's CA " + caFingerprint);
            String hostId = AgentProcess.status(tmp, state).get("hostId").getAsString();

            Path config = Files.writeString(tmp.resolve("agent.conf"), String.join("\n",
                    "server.url = " + url,
                    "state.dir = " + state,
                    "sample.interval = 1s",
                    "report.window = 2s",
                    "ship.backoff.min = 200ms",
                    "ship.backoff.max = 1s",
                    ""));
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                awaitTrue("a report over HTTPS", agent, () -> lastSeq(collector, hostId) >= 1);
                assertThat(agent.stop()).as(agent.log()).isIn(0, 143);
            }

            // Another CA's certificate, put in place while the collector runs: it reloads it, and
            // the agent (restarted, so it connects anew), which trusts only its pinned CA, refuses
            // to ship to it. Connections opened before a reload keep their certificate.
            Files.copy(other.resolve(SiteCa.SERVER_KEY), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(other.resolve(SiteCa.SERVER_CERT), cert, StandardCopyOption.REPLACE_EXISTING);
            X509Certificate impostor = Pem.readCertificates(cert).get(0);
            awaitTrue("the collector presents the other certificate", null,
                    () -> Pem.fingerprint(presented(url)).equals(Pem.fingerprint(impostor)));
            long before = lastSeq(collector, hostId);
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent2.log"), "--config", config.toString())) {
                awaitTrue("the agent refuses the other certificate", agent,
                        () -> agent.log().contains("is not signed by the CA this host pinned at enrollment"));
                assertThat(agent.log()).contains("put the new ca.crt in place of collector-ca.pem");
                assertThat(agent.isAlive()).isTrue();
                assertThat(lastSeq(collector, hostId)).isEqualTo(before);
                assertThat(agent.stop()).as(agent.log()).isIn(0, 143);
            }

            // A fresh enrollment that pins the site CA refuses the impostor outright.
            AgentProcess.Result refused = AgentProcess.runToEnd(tmp, "enroll", "--server", url.toString(), "--token",
                    token, "--state-dir", tmp.resolve("second").toString(), "--ca", site.resolve(SiteCa.CA_CERT).toString());
            assertThat(refused.exit()).as(refused.output()).isNotZero();
            assertThat(refused.output()).contains("is not signed by the CA this host pinned");
        }
    }

    /** The server certificate presented on a new connection, trusting anything (this only looks). */
    private static X509Certificate presented(URI url) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(url.getHost(), url.getPort())) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                return (X509Certificate) s.getSession().getPeerCertificates()[0];
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long lastSeq(Collector collector, String hostId) {
        return collector.store().read(tx -> tx.findHost(hostId)).map(h -> h.lastSeq()).orElse(0L);
    }

    private static void awaitTrue(String what, AgentProcess agent, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            if (agent != null && !agent.isAlive()) throw new AssertionError("agent exited while waiting for " + what + ":\n" + agent.log());
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what
                + (agent == null ? "" : "; agent log:\n" + agent.log()));
    }
}
