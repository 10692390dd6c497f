package io.assay.server.metrics;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.assay.server.fleet.FleetRoutes;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/openapi.json} (no token: it describes, it does not disclose): an OpenAPI 3.1
 * document generated from the route table, so it cannot drift from what is served.
 */
public final class OpenApiRoutes implements RouteModule {
    /** A documented operation. */
    public record Operation(String method, String pattern, Set<Role> roles) {
        public Operation {
            roles = Set.copyOf(roles);
        }
    }

    public static final String PATH = "/api/v1/openapi.json";

    private final List<RouteModule> others;

    public OpenApiRoutes(List<RouteModule> others) {
        this.others = List.copyOf(others);
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.get(PATH, Set.of(), r -> FleetRoutes.json(document())));
    }

    /** Every operation the collector serves (its route table), this document's own included. */
    public List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (RouteModule m : others) {
            for (Route r : m.routes()) {
                if (isApi(r.pattern())) ops.add(new Operation(r.method(), r.pattern(), r.roles()));
            }
        }
        ops.add(new Operation("GET", PATH, Set.of()));
        ops.sort(Comparator.comparing(Operation::pattern).thenComparing(Operation::method));
        return ops;
    }

    /** The dashboard's HTML pages are not API; everything else is. */
    public static boolean isApi(String pattern) {
        return !pattern.equals("/dashboard") && !pattern.startsWith("/dashboard/");
    }

    JsonObject document() {
        JsonObject doc = new JsonObject();
        doc.addProperty("openapi", "3.1.0");
        JsonObject info = new JsonObject();
        info.addProperty("title", "Assay collector");
        info.addProperty("version", "v1");
        doc.add("info", info);
        JsonObject schemes = new JsonObject();
        JsonObject bearer = new JsonObject();
        bearer.addProperty("type", "http");
        bearer.addProperty("scheme", "bearer");
        schemes.add("bearer", bearer);
        JsonObject components = new JsonObject();
        components.add("securitySchemes", schemes);
        doc.add("components", components);
        TreeMap<String, JsonObject> paths = new TreeMap<>();
        for (Operation op : operations()) {
            JsonObject item = paths.computeIfAbsent(op.pattern(), p -> new JsonObject());
            JsonObject o = new JsonObject();
            o.addProperty("operationId", op.method().toLowerCase(Locale.ROOT) + op.pattern().replaceAll("[^A-Za-z0-9]+", "_"));
            JsonArray params = new JsonArray();
            for (String seg : op.pattern().split("/")) {
                if (seg.startsWith("{") && seg.endsWith("}")) {
                    JsonObject p = new JsonObject();
                    p.addProperty("name", seg.substring(1, seg.length() - 1));
                    p.addProperty("in", "path");
                    p.addProperty("required", true);
                    JsonObject schema = new JsonObject();
                    schema.addProperty("type", "string");
                    p.add("schema", schema);
                    params.add(p);
                }
            }
            o.add("parameters", params);
            JsonArray security = new JsonArray();
            if (!op.roles().isEmpty()) {
                JsonObject req = new JsonObject();
                req.add("bearer", new JsonArray());
                security.add(req);
            }
            o.add("security", security);
            JsonArray roles = new JsonArray();
            op.roles().stream().map(Role::wireName).sorted().forEach(roles::add);
            o.add("x-roles", roles);
            JsonObject responses = new JsonObject();
            JsonObject ok = new JsonObject();
            ok.addProperty("description", "success");
            responses.add("200", ok);
            JsonObject problem = new JsonObject();
            problem.addProperty("description", "refusal as RFC 9457 problem JSON (application/problem+json)");
            responses.add("default", problem);
            o.add("responses", responses);
            item.add(op.method().toLowerCase(Locale.ROOT), o);
        }
        JsonObject p = new JsonObject();
        paths.forEach(p::add);
        doc.add("paths", p);
        return doc;
    }
}
