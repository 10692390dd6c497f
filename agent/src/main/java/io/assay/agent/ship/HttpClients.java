package io.assay.agent.ship;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;

/** The agent's one OkHttp configuration: every phase of a call bounded by {@code ship.timeout}; the pinned collector CA. */
public final class HttpClients {
    private HttpClients() {}

    public static OkHttpClient create(Duration timeout) {
        return create(timeout, Optional.empty());
    }

    /**
     * A client that, for https, trusts {@code pinnedCa} alone when given (see {@link CollectorTrust}),
     * else the JVM's default CAs. Host names are checked either way.
     */
    public static OkHttpClient create(Duration timeout, Optional<X509Certificate> pinnedCa) {
        OkHttpClient.Builder b = new OkHttpClient.Builder();
        if (pinnedCa.isPresent()) {
            X509TrustManager trust = CollectorTrust.pinnedTrustManager(pinnedCa.get());
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {trust}, new SecureRandom());
                b.sslSocketFactory(ctx.getSocketFactory(), trust);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("TLS is not available in this JVM", e);
            }
        }
        return bounded(b, timeout);
    }

    private static OkHttpClient bounded(OkHttpClient.Builder b, Duration timeout) {
        return b
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2))
                .retryOnConnectionFailure(false) // the shipper retries with backoff; no hidden retries
                .build();
    }

    /**
     * The client for one collector: as {@link #create(Duration, Optional)} for an https
     * {@code collectorUrl}; for http, a cleartext-only client. OkHttp builds the JVM's default trust
     * manager (the whole system CA list) for any client that may speak TLS; measured, that put about
     * 150 TLS and X.509 classes and the parsed CA list into a daemon that only ever spoke http.
     */
    public static OkHttpClient create(Duration timeout, Optional<X509Certificate> pinnedCa, String collectorUrl) {
        if (collectorUrl.toLowerCase(Locale.ROOT).startsWith("https:")) return create(timeout, pinnedCa);
        return bounded(new OkHttpClient.Builder().connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)), timeout);
    }

    /** Releases the client's threads and pooled connections. */
    public static void close(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
