package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.server.ConfigException;
import io.assay.server.ServerConfig;
import io.assay.server.TestCollector;
import io.assay.server.tls.Pem;
import io.assay.server.tls.SiteCa;
import io.assay.server.tls.TlsConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector over HTTPS: HTTP/2 and HTTP/1.1, a renewed certificate without restart, no plain HTTP off loopback. */
class HttpsFrontTest {
    @TempDir
    Path dir;

    @Test
    void servesHttp2AndHttp11AndReloadsARenewedCertificate() throws Exception {
        SiteCa ca = new SiteCa(new SecureRandom(), Clock.systemUTC());
        ca.init(dir.resolve("site"), List.of("127.0.0.1", "localhost"));
        Path cert = Files.copy(dir.resolve("site").resolve(SiteCa.SERVER_CERT), dir.resolve("live.crt"));
        Path key = Files.copy(dir.resolve("site").resolve(SiteCa.SERVER_KEY), dir.resolve("live.key"));
        X509Certificate caCert = Pem.readCertificates(dir.resolve("site").resolve(SiteCa.CA_CERT)).get(0);
        try (TestCollector server = TestCollector.start(dir, Clock.systemUTC(),
                b -> b.tls(new TlsConfig(cert, key, Duration.ofMillis(200))))) {
            URI url = server.url();
            assertThat(url.getScheme()).isEqualTo("https");
            SSLContext trust = trusting(caCert);
            for (HttpClient.Version v : HttpClient.Version.values()) {
                HttpClient client = HttpClient.newBuilder().sslContext(trust).version(v).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(url.resolve("/api/v1/hosts"))
                        .header("Authorization", "Bearer " + server.auditorToken()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(v);
            }

            // Renewal: 'tls init' again (same CA, new server certificate), files replaced in place.
            String before = Pem.fingerprint(presented(url, trust));
            ca.init(dir.resolve("site"), List.of("127.0.0.1"));
            Files.copy(dir.resolve("site").resolve(SiteCa.SERVER_KEY), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("site").resolve(SiteCa.SERVER_CERT), cert, StandardCopyOption.REPLACE_EXISTING);
            String renewed = Pem.fingerprint(Pem.readCertificates(cert).get(0));
            assertThat(renewed).isNotEqualTo(before);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Pem.fingerprint(presented(url, trust)).equals(renewed) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Pem.fingerprint(presented(url, trust))).isEqualTo(renewed);
        }
    }

    @Test
    void plainHttpOffLoopbackIsRefusedUnlessAllowed() {
        ServerConfig.Builder b = ServerConfig.builder().listen(new InetSocketAddress("0.0.0.0", 0)).db(dir.resolve("a.db"));
        assertThatThrownBy(b::build).isInstanceOf(ConfigException.class).hasMessageContaining("--tls-cert");
        assertThat(b.allowPlainHttp(true).build().allowPlainHttp()).isTrue();
    }

    private static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
        f.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, f.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** The server certificate presented on a fresh connection. */
    private static X509Certificate presented(URI url, SSLContext trust) throws Exception {
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(url.getHost(), url.getPort())) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            seen.set((X509Certificate) s.getSession().getPeerCertificates()[0]);
        }
        return seen.get();
    }
}
