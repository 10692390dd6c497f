package io.assay.server.fleet;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import io.assay.protocol.Verdict;
import io.assay.server.api.ApiException;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.RequestParams;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.FleetTables.Membership;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.FleetTables.FleetPage;
import io.assay.server.store.FleetTables.FleetQuery;
import io.assay.server.store.FleetTables.FleetRow;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Routes of operators and pledges. Every list is filtered by the token's {@link Scope} and paged
 * with {@code limit} and an opaque {@code after} cursor (the last id of the previous page; the
 * answer's {@code nextAfter}, null on the last page).
 *
 * <ul>
 *   <li>{@code POST /api/v1/pledges} (admin, operator): {@code {"name", "hosts", "groups", "from", "to", "text",
 *       "operator"?}} → the stored pledge with its {@code id}
 *   <li>{@code GET /api/v1/pledges} (admin, operator, auditor), {@code GET /api/v1/pledges/{id}}
 *   <li>{@code GET /api/v1/fleet?operator=&group=&verdict=} (admin, operator, auditor): hosts with operator, groups
 *       and last verdict, and host counts by verdict
 *   <li>{@code PUT /api/v1/hosts/{id}/groups} (admin, operator): {@code {"groups": [...]}} replaces a host's groups
 * </ul>
 */
public final class FleetRoutes implements RouteModule {
    public static final Set<Role> READERS = Set.of(Role.ADMIN, Role.OPERATOR, Role.AUDITOR);
    public static final Set<Role> WRITERS = Set.of(Role.ADMIN, Role.OPERATOR);
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Store store;
    private final Pledges pledges;

    public FleetRoutes(Store store, Pledges pledges) {
        this.store = requireNonNull(store, "store");
        this.pledges = requireNonNull(pledges, "pledges");
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.post("/api/v1/pledges", WRITERS, this::createPledge),
                Route.get("/api/v1/pledges", READERS, this::listPledges),
                Route.get("/api/v1/pledges/{id}", READERS, this::readPledge),
                Route.get("/api/v1/fleet", READERS, this::listFleet),
                new Route("PUT", "/api/v1/hosts/{id}/groups", WRITERS, this::setGroups));
    }

    private ApiResponse createPledge(ApiRequest r) {
        JsonObject body = object(r.body());
        Pledges.Request req = new Pledges.Request(string(body, "name", true), strings(body, "hosts"),
                strings(body, "groups"), instant(body, "from"), instant(body, "to"), string(body, "text", false),
                Optional.ofNullable(string(body, "operator", false)).filter(s -> !s.isEmpty()));
        Pledge p;
        try {
            p = pledges.create(req, Scope.of(r.token(), store));
        } catch (Pledges.RefusedException e) {
            throw ApiException.malformed(e.getMessage());
        }
        return new ApiResponse(201, ApiResponse.JSON, java.util.Map.of("Location", "/api/v1/pledges/" + p.id()),
                out -> out.write(pledgeJson(p).toString().getBytes(StandardCharsets.UTF_8)));
    }

    private ApiResponse listPledges(ApiRequest r) {
        Scope scope = Scope.of(r.token(), store);
        List<Pledge> all = store.read(tx -> tx.fleet().listPledges()).stream()
                .filter(p -> scope.sees(p.operator())).toList();
        return page(r, "pledges", all, Pledge::id, FleetRoutes::pledgeJson);
    }

    private ApiResponse readPledge(ApiRequest r) {
        String id = r.pathParam("id");
        Pledge p = findVisible(store, r, id);
        JsonObject o = pledgeJson(p);
        JsonArray hosts = new JsonArray();
        store.read(tx -> Pledges.hostsOf(p, tx.fleet())).forEach(hosts::add);
        o.add("coveredHosts", hosts);
        return json(o);
    }

    /** The pledge, or 404 when it does not exist or the token's scope does not reach its operator. */
    public static Pledge findVisible(Store store, ApiRequest r, String id) {
        Scope scope = Scope.of(r.token(), store);
        Pledge p = store.read(tx -> tx.fleet().findPledge(id)).orElseThrow(() -> ApiException.notFound("no pledge " + id));
        scope.requireSees(p.operator(), "no pledge " + id);
        return p;
    }

    /**
     * One page of the fleet from the indexed host rows ({@link io.assay.server.store.FleetTables#fleetPage}):
     * {@code hosts}, {@code nextAfter}, and {@code hostsByVerdict} over every filter but the verdict.
     */
    private ApiResponse listFleet(ApiRequest r) {
        Scope scope = Scope.of(r.token(), store);
        int limit = (int) (long) RequestParams.optionalLong(r, "limit", 1, MAX_PAGE).orElse((long) DEFAULT_PAGE);
        FleetQuery q = new FleetQuery(scope.operators(), r.queryParam("operator"), r.queryParam("group"),
                r.queryParam("verdict").map(FleetRoutes::verdict), r.queryParam("after").orElse(""), limit);
        FleetPage page = store.read(tx -> {
            // The cursor is a position in host id order, so it still works if that host has left the filter
            // since; one that names no host at all is a client's mistake.
            if (!q.afterHostId().isEmpty() && tx.findHost(q.afterHostId()).isEmpty()) {
                throw ApiException.malformed("after \"" + q.afterHostId() + "\" is not a host id;"
                        + " pass the nextAfter of the previous page");
            }
            return tx.fleet().fleetPage(q);
        });
        JsonArray items = new JsonArray();
        for (FleetRow f : page.hosts()) {
            JsonObject o = new JsonObject();
            o.addProperty("id", f.hostId());
            o.addProperty("hostname", f.hostname());
            o.addProperty("operator", f.operator());
            JsonArray g = new JsonArray();
            f.groups().forEach(g::add);
            o.add("groups", g);
            o.addProperty("lastSeen", f.lastSeen().map(Instant::toString).orElse(null));
            o.addProperty("lastSeq", f.lastSeq());
            o.addProperty("lastVerdict", f.lastVerdict().map(Verdict::name).orElse(null));
            items.add(o);
        }
        JsonObject body = new JsonObject();
        body.add("hosts", items);
        JsonObject counts = new JsonObject();
        page.hostsByVerdict().forEach(counts::addProperty);
        body.add("hostsByVerdict", counts);
        body.add("nextAfter", page.nextAfter().<JsonElement>map(com.google.gson.JsonPrimitive::new).orElse(JsonNull.INSTANCE));
        return json(body);
    }

    private ApiResponse setGroups(ApiRequest r) {
        String id = r.pathParam("id");
        Scope scope = Scope.of(r.token(), store);
        List<String> groups = strings(object(r.body()), "groups");
        Membership m = store.inTransaction(tx -> {
            if (tx.findHost(id).isEmpty()) throw ApiException.notFound("no host " + id + " is enrolled");
            Membership old = tx.fleet().membership(id);
            scope.requireSees(old.operator(), "no host " + id + " is enrolled");
            Membership now = new Membership(id, old.operator(), groups);
            tx.fleet().putMembership(now);
            return now;
        });
        JsonObject o = new JsonObject();
        o.addProperty("id", m.hostId());
        o.addProperty("operator", m.operator());
        JsonArray g = new JsonArray();
        m.groups().forEach(g::add);
        o.add("groups", g);
        return json(o);
    }

    // --- shared helpers ---

    /** One page of {@code all} (already in cursor order) after the {@code after} cursor. */
    public static <T> ApiResponse page(ApiRequest r, String field, List<T> all, Function<T, String> id,
            Function<T, JsonObject> view) {
        int limit = (int) (long) RequestParams.optionalLong(r, "limit", 1, MAX_PAGE).orElse((long) DEFAULT_PAGE);
        int start = 0;
        Optional<String> after = r.queryParam("after");
        if (after.isPresent()) {
            start = -1;
            for (int i = 0; i < all.size(); i++) {
                if (id.apply(all.get(i)).equals(after.get())) {
                    start = i + 1;
                    break;
                }
            }
            if (start < 0) throw ApiException.malformed("after \"" + after.get() + "\" is not an id of this list;"
                    + " pass the nextAfter of the previous page");
        }
        int end = Math.min(all.size(), start + limit);
        JsonArray items = new JsonArray();
        for (T t : all.subList(start, end)) items.add(view.apply(t));
        JsonObject body = new JsonObject();
        body.add(field, items);
        body.add("nextAfter", end < all.size() ? new com.google.gson.JsonPrimitive(id.apply(all.get(end - 1)))
                : JsonNull.INSTANCE);
        return json(body);
    }

    public static JsonObject pledgeJson(Pledge p) {
        JsonObject o = new JsonObject();
        o.addProperty("id", p.id());
        o.addProperty("operator", p.operator());
        o.addProperty("name", p.name());
        JsonArray h = new JsonArray();
        p.hosts().forEach(h::add);
        o.add("hosts", h);
        JsonArray g = new JsonArray();
        p.groups().forEach(g::add);
        o.add("groups", g);
        o.addProperty("from", p.from().toString());
        o.addProperty("to", p.to().toString());
        o.addProperty("text", p.text());
        o.addProperty("createdAt", p.createdAt().toString());
        return o;
    }

    public static ApiResponse json(JsonElement body) {
        return ApiResponse.json(new com.google.gson.GsonBuilder().serializeNulls().disableHtmlEscaping().create()
                .toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    static Verdict verdict(String s) {
        try {
            return Verdict.valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.malformed("verdict \"" + s + "\" is not one of CLEAN, SUSPECT, MINING, DEGRADED");
        }
    }

    private static JsonObject object(byte[] body) {
        try {
            JsonElement e = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw ApiException.malformed("the body must be a JSON object");
            return e.getAsJsonObject();
        } catch (JsonSyntaxException e) {
            throw ApiException.malformed("the body is not JSON: " + e.getMessage());
        }
    }

    private static String string(JsonObject o, String name, boolean required) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) throw ApiException.malformed("\"" + name + "\" is required");
            return name.equals("text") ? "" : null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw ApiException.malformed("\"" + name + "\" must be a string");
        }
        return e.getAsString();
    }

    private static List<String> strings(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) return List.of();
        if (!e.isJsonArray()) throw ApiException.malformed("\"" + name + "\" must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString() || x.getAsString().isBlank()) {
                throw ApiException.malformed("\"" + name + "\" must be an array of non-empty strings");
            }
            out.add(x.getAsString());
        }
        return out;
    }

    private static Instant instant(JsonObject o, String name) {
        String s = string(o, name, true);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.malformed("\"" + name + "\" is \"" + s + "\", not an ISO-8601 instant such as 2026-01-01T00:00:00Z");
        }
    }
}
