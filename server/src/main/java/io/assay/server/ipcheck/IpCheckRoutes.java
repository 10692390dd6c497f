package io.assay.server.ipcheck;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.assay.server.api.ApiException;
import io.assay.server.fleet.FleetRoutes;
import io.assay.server.fleet.Scope;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.Store;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /api/v1/ip-checks} (auditor, operator, admin): a {@code text/plain} list (one
 * {@code ADDR|CIDR[,FROM,TO]} per line) or the same as {@code text/csv}; answers
 * {@code {"results": [...]}}, one per line, seen through the token's scope.
 */
public final class IpCheckRoutes implements RouteModule {
    private final Store store;
    private final IpChecks checks;

    public IpCheckRoutes(Store store, IpChecks checks) {
        this.store = requireNonNull(store, "store");
        this.checks = requireNonNull(checks, "checks");
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.post("/api/v1/ip-checks", Set.of(io.assay.server.store.Role.AUDITOR,
                io.assay.server.store.Role.OPERATOR, io.assay.server.store.Role.ADMIN), this::check));
    }

    private ApiResponse check(ApiRequest r) {
        String type = r.header("content-type").orElse("text/plain").toLowerCase(java.util.Locale.ROOT);
        if (!type.startsWith("text/plain") && !type.startsWith("text/csv")) {
            throw new ApiException(io.assay.protocol.api.Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the list as text/plain (one ADDR|CIDR[,FROM,TO] per line) or text/csv, not " + type),
                    java.util.Map.of());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(r.body())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.malformed("the list is not UTF-8 text");
        }
        List<IpQuery> queries;
        try {
            queries = IpQuery.parse(text);
        } catch (IpQuery.BadListException e) {
            throw ApiException.malformed(e.getMessage());
        }
        JsonObject body = new JsonObject();
        body.add("results", checks.check(queries, Scope.of(r.token(), store)));
        return FleetRoutes.json(body);
    }
}
