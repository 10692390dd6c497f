package io.assay.server.api;

import static io.assay.server.http.RequestParams.parseLong;
import static io.assay.server.http.RequestParams.parseTime;
import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.assay.server.fleet.Scope;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.ingest.ReportVerification;
import io.assay.server.store.FleetTables.Membership;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The auditor API: {@code GET /api/v1/hosts} (paged like the report index), {@code /api/v1/hosts/{id}},
 * {@code /api/v1/hosts/{id}/reports}, {@code /api/v1/reports/{host}/{seq}} (admin, auditor or
 * operator token, each seeing the hosts of its {@link Scope}: an operator its own fleet, an
 * auditor the operators it names or all), and {@code GET /healthz} (no token).
 */
public final class QueryRoutes implements RouteModule {
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    static final int MAX_HOST_ID_CHARS = 64;
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final Set<Role> READERS = Set.of(Role.AUDITOR, Role.ADMIN, Role.OPERATOR);

    private final Store store;
    private final ReportVerification verification;

    public QueryRoutes(Store store, ReportVerification verification) {
        this.store = requireNonNull(store, "store");
        this.verification = requireNonNull(verification, "verification");
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.get("/healthz", Set.of(), r -> ApiResponse.text("ok")),
                Route.get("/api/v1/hosts", READERS, this::listHosts),
                Route.get("/api/v1/hosts/{id}", READERS, this::readHost),
                Route.get("/api/v1/hosts/{id}/reports", READERS, this::listReports),
                Route.get("/api/v1/reports/{host}/{seq}", READERS, this::readReport));
    }

    /** {@code ?limit=&after=}: one page of hosts by host id; {@code nextAfter} is the cursor of the next page. */
    private ApiResponse listHosts(ApiRequest request) {
        int limit = request.queryParam("limit").map(t -> (int) parseLong("limit", t, 1, MAX_PAGE)).orElse(DEFAULT_PAGE);
        String after = request.queryParam("after").orElse("");
        if (after.length() > MAX_HOST_ID_CHARS) {
            throw ApiException.malformed("after is " + after.length() + " characters long; a host id has at most "
                    + MAX_HOST_ID_CHARS);
        }
        Scope scope = Scope.of(request.token(), store);
        List<HostRecord> page = scope.operators().isEmpty() ? store.read(tx -> tx.listHosts(after, limit + 1))
                : store.read(tx -> visibleHosts(tx, scope, after, limit + 1));
        boolean more = page.size() > limit;
        if (more) page = page.subList(0, limit);
        JsonArray hosts = new JsonArray();
        page.forEach(h -> hosts.add(Views.hostSummary(h)));
        JsonObject body = new JsonObject();
        body.add("hosts", hosts);
        body.add("nextAfter", more ? new JsonPrimitive(page.get(page.size() - 1).hostId()) : JsonNull.INSTANCE);
        return json(body);
    }

    /**
     * A page of the hosts a scoped token sees, by host id. Memberships come in host id order with
     * every host (those without a fleet row belong to the default operator), so one pass finds the
     * page and only the page's hosts are read in full.
     */
    private static List<HostRecord> visibleHosts(Store.ReadTx tx, Scope scope, String after, int limit) {
        List<HostRecord> out = new ArrayList<>();
        for (Membership m : tx.fleet().memberships()) {
            if (out.size() >= limit) break;
            if (m.hostId().compareTo(after) <= 0 || !scope.sees(m.operator())) continue;
            tx.findHost(m.hostId()).ifPresent(out::add);
        }
        return out;
    }

    private ApiResponse readHost(ApiRequest request) {
        String hostId = request.pathParam("id");
        HostScope.requireVisible(request, store, hostId);
        JsonObject body = store.read(tx -> tx.findHost(hostId).map(h -> Views.hostDetail(h, tx.listEvents(hostId),
                tx.listChainBreaks(hostId))))
                .orElseThrow(() -> ApiException.notFound("no host " + hostId + " is enrolled"));
        return json(body);
    }

    private ApiResponse listReports(ApiRequest request) {
        String hostId = request.pathParam("id");
        HostScope.requireVisible(request, store, hostId);
        long from = request.queryParam("from").map(t -> parseTime("from", t)).orElse(Long.MIN_VALUE);
        long to = request.queryParam("to").map(t -> parseTime("to", t)).orElse(Long.MAX_VALUE);
        int limit = request.queryParam("limit").map(t -> (int) parseLong("limit", t, 1, MAX_PAGE)).orElse(DEFAULT_PAGE);
        long after = request.queryParam("after").map(t -> parseLong("after", t, 0, Long.MAX_VALUE)).orElse(0L);
        if (from >= to) throw ApiException.malformed("from must be before to");
        ReportQuery query = new ReportQuery(from, to, after, limit + 1);
        Optional<List<ReportRow>> rows = store.read(tx -> tx.findHost(hostId).map(h -> tx.listReports(hostId, query)));
        List<ReportRow> page = rows.orElseThrow(() -> ApiException.notFound("no host " + hostId + " is enrolled"));
        boolean more = page.size() > limit;
        if (more) page = page.subList(0, limit);
        JsonArray reports = new JsonArray();
        page.forEach(r -> reports.add(Views.reportRow(r)));
        JsonObject body = new JsonObject();
        body.add("reports", reports);
        body.add("nextAfter", more ? new JsonPrimitive(page.get(page.size() - 1).seq()) : JsonNull.INSTANCE);
        return json(body);
    }

    private ApiResponse readReport(ApiRequest request) {
        String hostId = request.pathParam("host");
        long seq = parseLong("seq", request.pathParam("seq"), 1, Long.MAX_VALUE);
        HostScope.requireVisible(request, store, hostId);
        ReportVerification.Result r = verification.check(hostId, seq)
                .orElseThrow(() -> ApiException.notFound("host " + hostId + " has no stored report with seq " + seq));
        JsonObject body = Views.reportRow(r.stored().row());
        body.add("envelope", JsonParser.parseString(r.stored().envelopeJson()));
        JsonElement payload;
        try {
            payload = JsonParser.parseString(new String(r.payload(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            payload = JsonNull.INSTANCE;
        }
        body.add("payload", payload);
        JsonObject v = new JsonObject();
        v.addProperty("signature", r.signature());
        v.addProperty("chain", r.chain());
        body.add("verification", v);
        return json(body);
    }

    private static ApiResponse json(JsonObject body) {
        return ApiResponse.json(GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }
}
