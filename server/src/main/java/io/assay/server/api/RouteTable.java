package io.assay.server.api;

import io.assay.server.http.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The collector's routes as data, matched segment by segment. Built once at start; immutable and
 * thread-safe. Two routes with the same method and pattern are a programming error and fail the
 * start, so a feature cannot silently shadow another's route.
 */
final class RouteTable {
    /** A route that matched, with its path parameters. */
    record Match(Route route, Map<String, String> pathParams) {}

    /** What the table says about a method and path. */
    sealed interface Lookup permits Found, WrongMethod, NotFound {}

    record Found(Match match) implements Lookup {}

    /** The path exists but not for this method; {@code allowed} goes into the {@code Allow} header. */
    record WrongMethod(Set<String> allowed) implements Lookup {}

    record NotFound() implements Lookup {}

    private record Compiled(Route route, String[] segments) {}

    private final List<Compiled> routes;

    RouteTable(List<Route> routes) {
        List<Compiled> compiled = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Route r : routes) {
            String key = r.method() + " " + r.pattern().replaceAll("\\{[^/]*}", "{}");
            if (!seen.add(key)) throw new IllegalArgumentException("two routes for " + r.method() + " " + r.pattern());
            compiled.add(new Compiled(r, segments(r.pattern())));
        }
        this.routes = List.copyOf(compiled);
    }

    /**
     * Finds the route for {@code method} and a decoded {@code path}. HEAD finds the GET route.
     * Literal segments win over parameters, so {@code /hosts/export} beats {@code /hosts/{id}}.
     */
    Lookup lookup(String method, String path) {
        String want = method.equals("HEAD") ? "GET" : method;
        String[] p = segments(path);
        Set<String> allowed = new LinkedHashSet<>();
        Match best = null;
        int bestLiterals = -1;
        for (Compiled c : routes) {
            Map<String, String> params = match(c.segments, p);
            if (params == null) continue;
            if (!c.route.method().equals(want)) {
                allowed.add(c.route.method());
                if (c.route.method().equals("GET")) allowed.add("HEAD");
                continue;
            }
            int literals = c.segments.length - params.size();
            if (literals > bestLiterals) {
                best = new Match(c.route, params);
                bestLiterals = literals;
            }
        }
        if (best != null) return new Found(best);
        if (allowed.isEmpty()) return new NotFound();
        return new WrongMethod(allowed);
    }

    /** The methods a path answers to (for OPTIONS); empty when no route has that path. */
    Optional<Set<String>> methodsFor(String path) {
        String[] p = segments(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Compiled c : routes) {
            if (match(c.segments, p) == null) continue;
            allowed.add(c.route.method());
            if (c.route.method().equals("GET")) allowed.add("HEAD");
        }
        if (allowed.isEmpty()) return Optional.empty();
        allowed.add("OPTIONS");
        return Optional.of(allowed);
    }

    private static Map<String, String> match(String[] want, String[] p) {
        if (want.length != p.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (p[i].isEmpty()) return null;
                params.put(want[i].substring(1, want[i].length() - 1), p[i]);
            } else if (!want[i].equals(p[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) trimmed = trimmed.substring(0, trimmed.length() - 1);
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
