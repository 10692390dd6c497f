package io.assay.server.http;

import static java.util.Objects.requireNonNull;

import io.assay.server.store.TokenRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request as a route handler sees it: already authenticated, its body read completely within
 * the front's time and size bounds.
 *
 * @param pathParams values of the route pattern's {@code {name}} segments, decoded
 * @param query query parameters, decoded, in order of appearance
 * @param headers request headers, names in lower case (first value of each)
 * @param token the authenticated token; empty only on routes that need none
 * @param remoteAddress the peer's IP address as text
 */
public record ApiRequest(
        String method,
        String path,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        Map<String, String> headers,
        byte[] body,
        Optional<TokenRecord> token,
        String remoteAddress) {
    public ApiRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        pathParams = Map.copyOf(pathParams);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
        requireNonNull(token, "token");
        requireNonNull(remoteAddress, "remoteAddress");
    }

    public String pathParam(String name) {
        String v = pathParams.get(name);
        if (v == null) throw new IllegalStateException("route has no path parameter " + name);
        return v;
    }

    /** The first value of a query parameter. */
    public Optional<String> queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }
}
