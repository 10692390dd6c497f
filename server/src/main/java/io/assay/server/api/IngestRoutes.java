package io.assay.server.api;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.Problem;
import io.assay.protocol.api.RawEnvelope;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.ingest.Enrollment;
import io.assay.server.ingest.IngestRejectedException;
import io.assay.server.ingest.Ingestor;
import io.assay.server.store.Role;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * What hosts call: {@code POST /api/v1/enroll} (enroll or admin token) and
 * {@code POST /api/v1/reports} (the host's own token). By the time a handler runs, the front has
 * read the whole body within its time and size bounds, so an ingest permit is only ever held by
 * an upload that is being verified and stored, never by one still arriving.
 */
public final class IngestRoutes implements RouteModule {
    private final Enrollment enrollment;
    private final Ingestor ingestor;
    private final IngestGate gate;

    public IngestRoutes(Enrollment enrollment, Ingestor ingestor, int maxIngestInFlight, RandomGenerator random) {
        this.enrollment = requireNonNull(enrollment, "enrollment");
        this.ingestor = requireNonNull(ingestor, "ingestor");
        this.gate = new IngestGate(maxIngestInFlight, random);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.post("/api/v1/enroll", Set.of(Role.ENROLL, Role.ADMIN), this::enroll),
                Route.post("/api/v1/reports", Set.of(Role.HOST), this::upload));
    }

    private ApiResponse enroll(ApiRequest request) {
        EnrollRequest enroll = parse(request.body(), EnrollRequest.class);
        EnrollBounds.check(enroll);
        try {
            return ApiResponse.json(Json.toBytes(enrollment.enroll(enroll, request.token().orElseThrow().tokenHash())));
        } catch (IngestRejectedException e) {
            throw rejected(e);
        }
    }

    private ApiResponse upload(ApiRequest request) {
        if (!gate.tryEnter()) {
            int retryAfter = gate.retryAfterSeconds();
            throw new ApiException(Problem.of(429, "busy", "Collector busy",
                    "the collector is processing as many uploads as it allows; retry after " + retryAfter + " s"),
                    Map.of("Retry-After", Integer.toString(retryAfter)));
        }
        try {
            List<RawEnvelope> batch = parseBatch(request.body());
            String hostId = request.token().orElseThrow().hostId().orElseThrow();
            return ApiResponse.json(Json.toBytes(ingestor.ingest(hostId, batch, request.remoteAddress())));
        } catch (IngestRejectedException e) {
            throw rejected(e);
        } finally {
            gate.exit();
        }
    }

    /** Maps ingest refusals to HTTP statuses; the problem type is the reason's wire name. */
    static ApiException rejected(IngestRejectedException e) {
        int status = switch (e.reason()) {
            case MALFORMED -> 400;
            case UNKNOWN_HOST -> 403;
            case BAD_SIGNATURE -> 422;
            case SEQ_REUSED, SEQ_GAP, PREV_MISMATCH -> 409;
            case TOKEN_REFUSED -> 403;
        };
        String title = switch (e.reason()) {
            case MALFORMED -> "Malformed request";
            case UNKNOWN_HOST -> "Report of another host";
            case BAD_SIGNATURE -> "Signature does not verify";
            case SEQ_REUSED -> "Seq already used";
            case SEQ_GAP -> "Seq gap";
            case PREV_MISMATCH -> "Prev does not match";
            case TOKEN_REFUSED -> "Token refused";
        };
        return new ApiException(new Problem(e.reason().wireName(), title, status, e.getMessage(), e.index(), e.seq(),
                e.acks(), e.expectedSeq(), e.chainEndHash()), Map.of());
    }

    /** The envelopes of a report batch with their exact bytes (stored and logged verbatim). */
    private static List<RawEnvelope> parseBatch(byte[] body) {
        try {
            return RawEnvelope.parseBatch(body);
        } catch (ProtocolException e) {
            throw ApiException.malformed("the body is not a valid ReportBatch: " + e.getMessage());
        }
    }

    static <T> T parse(byte[] body, Class<T> type) {
        try {
            return Json.fromBytes(body, type);
        } catch (ProtocolException e) {
            throw ApiException.malformed("the body is not a valid " + type.getSimpleName() + ": " + e.getMessage());
        }
    }
}
