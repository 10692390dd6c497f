package io.assay.agent.ship;

import java.time.Duration;
import okhttp3.OkHttpClient;

/** The agent's one OkHttp configuration: every phase of a call bounded by {@code ship.timeout}. */
public final class HttpClients {
    private HttpClients() {}

    public static OkHttpClient create(Duration timeout) {
        return new OkHttpClient.Builder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2))
                .retryOnConnectionFailure(false) // the shipper retries with backoff; no hidden retries
                .build();
    }

    /** Releases the client's threads and pooled connections. */
    public static void close(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
