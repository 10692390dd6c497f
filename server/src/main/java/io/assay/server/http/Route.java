package io.assay.server.http;

import static java.util.Objects.requireNonNull;

import io.assay.server.store.Role;
import java.util.Set;

/**
 * One entry of the collector's route table.
 *
 * @param method {@code GET}, {@code POST}, ...; HEAD is answered for every GET route by the front
 * @param pattern a path such as {@code /api/v1/hosts/{id}/reports}; a {@code {name}} segment
 *     matches one non-empty path segment and is handed to the handler as a path parameter
 * @param roles the token roles allowed; empty means no token is needed (health, the dashboard's
 *     login page)
 */
public record Route(String method, String pattern, Set<Role> roles, RouteHandler handler) {
    public Route {
        requireNonNull(method, "method");
        requireNonNull(pattern, "pattern");
        if (!pattern.startsWith("/")) throw new IllegalArgumentException("pattern must start with /: " + pattern);
        roles = Set.copyOf(requireNonNull(roles, "roles"));
        requireNonNull(handler, "handler");
    }

    public static Route get(String pattern, Set<Role> roles, RouteHandler handler) {
        return new Route("GET", pattern, roles, handler);
    }

    public static Route post(String pattern, Set<Role> roles, RouteHandler handler) {
        return new Route("POST", pattern, roles, handler);
    }
}
