/**
 * The collector's routing contract, independent of the HTTP server underneath: a route is data
 * (method, path pattern, roles, handler), a handler turns an {@link io.assay.server.http.ApiRequest}
 * into an {@link io.assay.server.http.ApiResponse} or throws
 * {@link io.assay.server.api.ApiException} for a refusal. Features contribute their routes through
 * {@link io.assay.server.http.RouteModule}; the front (Jetty) authenticates, applies limits and
 * dispatches.
 */
package io.assay.server.http;
