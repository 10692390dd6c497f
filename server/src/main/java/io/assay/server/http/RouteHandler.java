package io.assay.server.http;

/** Answers one request; refusals are thrown as {@link io.assay.server.api.ApiException}. */
@FunctionalInterface
public interface RouteHandler {
    ApiResponse handle(ApiRequest request) throws Exception;
}
