package io.assay.server.log;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.assay.protocol.log.TreeHash;
import io.assay.server.api.ApiException;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.RequestParams;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.Role;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/log/checkpoint} (newest signed checkpoint with cosignatures, text/plain;
 * {@code ?size=N} for the newest of that size), {@code POST /api/v1/log/checkpoint} (admin: sign
 * one now), {@code GET /api/v1/log/key} (the note verifier key),
 * {@code GET /api/v1/log/proof/inclusion?host=&seq=&size=} and
 * {@code GET /api/v1/log/proof/consistency?from=&to=}. Reads need an auditor or admin token.
 */
public final class LogRoutes implements RouteModule {
    private static final Set<Role> READERS = Set.of(Role.AUDITOR, Role.ADMIN);
    private final TransparencyLog log;

    public LogRoutes(TransparencyLog log) {
        this.log = log;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/log/checkpoint", READERS, this::checkpoint),
                Route.post("/api/v1/log/checkpoint", Set.of(Role.ADMIN), r -> ApiResponse.text(log.checkpoint())),
                Route.get("/api/v1/log/key", READERS, r -> ApiResponse.text(log.verifierKey().encode() + "\n")),
                Route.get("/api/v1/log/proof/inclusion", READERS, this::inclusion),
                Route.get("/api/v1/log/proof/consistency", READERS, this::consistency));
    }

    private ApiResponse checkpoint(ApiRequest r) {
        var size = RequestParams.optionalLong(r, "size", 0, Long.MAX_VALUE);
        var note = size.isPresent() ? log.noteOfSize(size.get()) : log.latestNote();
        return ApiResponse.text(note.orElseThrow(() -> ApiException.notFound(size.isPresent()
                ? "no checkpoint of size " + size.get() + " was signed" : "no checkpoint was signed yet")));
    }

    private ApiResponse inclusion(ApiRequest r) {
        String host = RequestParams.required(r, "host");
        long seq = RequestParams.requiredLong(r, "seq", 1, Long.MAX_VALUE);
        long size = RequestParams.requiredLong(r, "size", 1, Long.MAX_VALUE);
        TransparencyLog.InclusionProof p;
        try {
            p = log.inclusion(host, seq, size);
        } catch (TransparencyLog.ProofException e) {
            throw e.isNotFound() ? ApiException.notFound(e.getMessage()) : ApiException.malformed(e.getMessage());
        }
        JsonObject body = new JsonObject();
        body.addProperty("index", p.index());
        body.addProperty("leafHash", p.leafHash().base64());
        body.add("hashes", hashes(p.hashes()));
        return ApiResponse.json(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private ApiResponse consistency(ApiRequest r) {
        long from = RequestParams.requiredLong(r, "from", 0, Long.MAX_VALUE);
        long to = RequestParams.requiredLong(r, "to", 0, Long.MAX_VALUE);
        List<TreeHash> proof;
        try {
            proof = log.consistency(from, to);
        } catch (TransparencyLog.ProofException e) {
            throw ApiException.malformed(e.getMessage());
        }
        JsonObject body = new JsonObject();
        body.add("hashes", hashes(proof));
        return ApiResponse.json(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonArray hashes(List<TreeHash> list) {
        JsonArray a = new JsonArray();
        list.forEach(h -> a.add(h.base64()));
        return a;
    }
}
