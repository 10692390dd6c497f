/**
 * The collector's HTTP API: routing, bearer-token checks, bounded request bodies, the ingest
 * admission limit, and the one place ({@link io.assay.server.api.HttpApi#handle}) that turns
 * exceptions into RFC 9457 problem JSON.
 *
 * <p>Why the JDK's {@code com.sun.net.httpserver} and not Javalin/Jetty: the API is a handful of
 * JSON routes, and the JDK server adds no dependency (the shaded jar stays small, nothing to
 * patch), while still letting us own the thread pool ({@code assay-http-N}), bound the body we
 * read, and answer 429 before reading anything. TLS is expected to be terminated in front of it
 * or added with {@code HttpsServer} later.
 */
package io.assay.server.api;
