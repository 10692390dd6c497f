/**
 * The collector's HTTP front: Jetty 12 with one core handler ({@code ApiHandler}) over a route
 * table built from {@link io.assay.server.http.RouteModule}s ({@link io.assay.server.api.IngestRoutes},
 * {@link io.assay.server.api.QueryRoutes}, and the features' modules), bearer-token checks,
 * bodies read completely and asynchronously within a size and time bound, the ingest admission
 * limit, and the one place that turns every refusal, Jetty's own included, into RFC 9457 problem
 * JSON.
 *
 * <p>Why Jetty and not the JDK's {@code com.sun.net.httpserver} any more: the JDK server has no
 * request-read time-out, a handler thread per connection while the request arrives, no
 * connection or accept limits, HTML error pages, and no HTTP/2; sixteen silent connections
 * stopped it from answering anyone. Jetty reads headers on its selectors (a silent connection
 * holds no thread), and has the limits built in.
 */
package io.assay.server.api;
