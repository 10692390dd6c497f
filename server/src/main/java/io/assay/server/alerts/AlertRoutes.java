package io.assay.server.alerts;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import io.assay.server.api.ApiException;
import io.assay.server.fleet.FleetRoutes;
import io.assay.server.fleet.Scope;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.AlertTables.Alert;
import io.assay.server.store.AlertTables.Delivery;
import io.assay.server.store.AlertTables.Kind;
import io.assay.server.store.AlertTables.Webhook;
import io.assay.server.store.Store;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * <ul>
 *   <li>{@code GET /api/v1/alerts?state=open|acked|all&kind=&host=&limit=&after=} (admin, operator, auditor;
 *       newest first, with each alert's deliveries)
 *   <li>{@code POST /api/v1/alerts/{id}/ack} (admin, operator): acknowledges an open alert
 *   <li>{@code POST /api/v1/webhooks} (admin, operator) {@code {"url", "operators"?}} → {@code {"id", "url", "secret"}};
 *       the secret is shown in this answer only. {@code GET /api/v1/webhooks} lists them without secrets.
 * </ul>
 * Everything is seen through the token's {@link Scope}.
 */
public final class AlertRoutes implements RouteModule {
    private final Store store;
    private final Clock clock;
    private final SecureRandom random;

    public AlertRoutes(Store store, Clock clock, SecureRandom random) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/alerts", FleetRoutes.READERS, this::list),
                Route.post("/api/v1/alerts/{id}/ack", FleetRoutes.WRITERS, this::ack),
                Route.post("/api/v1/webhooks", FleetRoutes.WRITERS, this::addWebhook),
                Route.get("/api/v1/webhooks", FleetRoutes.WRITERS, this::listWebhooks));
    }

    private record Row(Alert alert, List<Delivery> deliveries) {}

    private ApiResponse list(ApiRequest r) {
        Scope scope = Scope.of(r.token(), store);
        String state = r.queryParam("state").orElse("all");
        if (!List.of("open", "acked", "all").contains(state)) {
            throw ApiException.malformed("state \"" + state + "\" is not one of open, acked, all");
        }
        Optional<Kind> kind = r.queryParam("kind").map(k -> {
            try {
                return Kind.parse(k);
            } catch (IllegalArgumentException e) {
                throw ApiException.malformed("kind \"" + k + "\" is not one of " + java.util.Arrays.stream(Kind.values())
                        .map(Kind::wireName).collect(java.util.stream.Collectors.joining(", ")));
            }
        });
        Optional<String> host = r.queryParam("host");
        List<Row> rows = store.read(tx -> {
            List<Row> out = new ArrayList<>();
            for (Alert a : tx.alerts().listAlerts()) {
                if (!scope.sees(tx.fleet().membership(a.hostId()).operator())) continue;
                if (state.equals("open") && a.ackedAt().isPresent()) continue;
                if (state.equals("acked") && a.ackedAt().isEmpty()) continue;
                if (kind.isPresent() && a.kind() != kind.get()) continue;
                if (host.isPresent() && !a.hostId().equals(host.get())) continue;
                out.add(new Row(a, tx.alerts().deliveriesOf(a.id())));
            }
            return out;
        });
        return FleetRoutes.page(r, "alerts", rows, x -> x.alert().id(), x -> {
            JsonObject o = alertJson(x.alert());
            JsonArray ds = new JsonArray();
            for (Delivery d : x.deliveries()) {
                JsonObject dj = new JsonObject();
                dj.addProperty("webhook", d.webhookId());
                dj.addProperty("attempts", d.attempts());
                dj.addProperty("deliveredAt", d.deliveredAt().map(Instant::toString).orElse(null));
                dj.addProperty("lastError", d.lastError());
                ds.add(dj);
            }
            o.add("deliveries", ds);
            return o;
        });
    }

    private ApiResponse ack(ApiRequest r) {
        return FleetRoutes.json(alertJson(acknowledge(store, clock, r.token().orElseThrow(), r.pathParam("id"))));
    }

    /**
     * Acknowledges an open alert as {@code token} (the API's and the dashboard's one way): 404 when
     * unknown or outside the token's scope, 409 when already acknowledged. The caller checks the role.
     */
    public static Alert acknowledge(Store store, Clock clock, io.assay.server.store.TokenRecord token, String id) {
        Scope scope = Scope.of(Optional.of(token), store);
        String by = token.role().wireName() + (token.note().isEmpty() ? "" : " (" + token.note() + ")");
        return store.inTransaction(tx -> {
            Alert found = tx.alerts().findAlert(id).orElseThrow(() -> ApiException.notFound("no alert " + id));
            scope.requireSees(tx.fleet().membership(found.hostId()).operator(), "no alert " + id);
            if (!tx.alerts().acknowledge(id, clock.instant(), by)) {
                throw ApiException.of(409, "already-acknowledged", "Already acknowledged", "alert " + id
                        + " was acknowledged at " + found.ackedAt().map(Instant::toString).orElse("?") + " by " + found.ackedBy());
            }
            return tx.alerts().findAlert(id).orElseThrow();
        });
    }

    private ApiResponse addWebhook(ApiRequest r) {
        Scope scope = Scope.of(r.token(), store);
        JsonObject body;
        try {
            JsonElement e = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw ApiException.malformed("the body must be a JSON object {\"url\": ...}");
            body = e.getAsJsonObject();
        } catch (JsonSyntaxException e) {
            throw ApiException.malformed("the body is not JSON: " + e.getMessage());
        }
        if (!body.has("url") || !body.get("url").isJsonPrimitive()) throw ApiException.malformed("\"url\" is required");
        String url = body.get("url").getAsString();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw ApiException.malformed("\"url\" is not a URL: " + url);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw ApiException.malformed("\"url\" must be an http or https URL with a host, was " + url);
        }
        List<String> operators = new ArrayList<>();
        if (body.has("operators") && body.get("operators").isJsonArray()) {
            body.getAsJsonArray("operators").forEach(x -> operators.add(x.getAsString()));
        }
        if (operators.isEmpty() && scope.operators().isPresent()) operators.addAll(scope.operators().get());
        for (String op : operators) {
            if (!scope.sees(op)) throw ApiException.malformed("this token may not watch operator " + op);
        }
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        Webhook w = new Webhook("w-" + HexFormat.of().formatHex(id), url,
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret), operators, clock.instant());
        store.inTransaction(tx -> {
            tx.alerts().insertWebhook(w);
            return null;
        });
        JsonObject o = webhookJson(w);
        o.addProperty("secret", w.secret());
        return new ApiResponse(201, ApiResponse.JSON, Map.of(), out -> out.write(o.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private ApiResponse listWebhooks(ApiRequest r) {
        Scope scope = Scope.of(r.token(), store);
        List<Webhook> hooks = store.read(tx -> tx.alerts().listWebhooks()).stream()
                .filter(w -> scope.operators().isEmpty() || !w.operators().isEmpty() && w.operators().stream().allMatch(scope::sees))
                .toList();
        return FleetRoutes.page(r, "webhooks", hooks, Webhook::id, AlertRoutes::webhookJson);
    }

    private static JsonObject webhookJson(Webhook w) {
        JsonObject o = new JsonObject();
        o.addProperty("id", w.id());
        o.addProperty("url", w.url());
        JsonArray ops = new JsonArray();
        w.operators().forEach(ops::add);
        o.add("operators", ops);
        o.addProperty("createdAt", w.createdAt().toString());
        return o;
    }

    /** An alert as the API and the webhooks show it. */
    static JsonObject alertJson(Alert a) {
        JsonObject o = new JsonObject();
        o.addProperty("id", a.id());
        o.addProperty("kind", a.kind().wireName());
        o.addProperty("host", a.hostId());
        o.addProperty("seq", a.seq());
        o.addProperty("detail", a.detail());
        o.addProperty("raisedAt", a.raisedAt().toString());
        o.addProperty("acknowledgedAt", a.ackedAt().map(Instant::toString).orElse(null));
        o.addProperty("acknowledgedBy", a.ackedBy());
        return o;
    }
}
