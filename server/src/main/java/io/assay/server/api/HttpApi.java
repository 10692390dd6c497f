package io.assay.server.api;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.Problem;
import io.assay.protocol.api.RawEnvelope;
import io.assay.server.ingest.Enrollment;
import io.assay.server.ingest.IngestRejectedException;
import io.assay.server.ingest.Ingestor;
import io.assay.server.ingest.ReportVerification;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Role;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every request of the collector and maps every exception to problem JSON, in one place.
 * Thread-safe; one instance serves all handler threads.
 *
 * <p>Routes: {@code GET /healthz} (no auth); {@code POST /api/v1/enroll} (enroll, admin);
 * {@code POST /api/v1/reports} (host); {@code GET /api/v1/hosts}, {@code /api/v1/hosts/{id}},
 * {@code /api/v1/hosts/{id}/reports}, {@code /api/v1/reports/{host}/{seq}} (auditor, admin).
 */
public final class HttpApi implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final String JSON = "application/json";
    private static final String PROBLEM_JSON = "application/problem+json";
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Store store;
    private final Enrollment enrollment;
    private final Ingestor ingestor;
    private final ReportVerification verification;
    private final Authenticator auth;
    private final IngestGate gate;
    private final long maxBodyBytes;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final List<Route> moduleRoutes;
    private volatile boolean closing;

    public HttpApi(Store store, Enrollment enrollment, Ingestor ingestor, ReportVerification verification,
            long maxBodyBytes, int maxIngestInFlight, RandomGenerator random, List<RouteModule> modules) {
        this.moduleRoutes = modules.stream().flatMap(m -> m.routes().stream()).toList();
        this.store = requireNonNull(store, "store");
        this.enrollment = requireNonNull(enrollment, "enrollment");
        this.ingestor = requireNonNull(ingestor, "ingestor");
        this.verification = requireNonNull(verification, "verification");
        this.auth = new Authenticator(store);
        this.gate = new IngestGate(maxIngestInFlight, random);
        this.maxBodyBytes = maxBodyBytes;
    }

    /** From now on new requests get 503; requests in progress finish. */
    public void beginShutdown() {
        closing = true;
    }

    /** Waits until no request is in progress or {@code timeout} passes; true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inProgress.get() > 0) {
            if (System.nanoTime() - deadline >= 0) return false;
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return true;
    }

    @Override
    public void handle(HttpExchange exchange) {
        inProgress.incrementAndGet();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        try {
            if (closing) {
                throw ApiException.of(503, "unavailable", "Shutting down", "the collector is shutting down; retry later");
            }
            route(exchange, method, path);
        } catch (ApiException e) {
            log.debug("{} {}: {}", method, path, e.getMessage());
            sendProblem(exchange, e.problem(), e.headers());
        } catch (RuntimeException e) {
            log.error("{} {}: internal error", method, path, e);
            sendProblem(exchange, Problem.of(500, "internal", "Internal error",
                    "the collector failed to handle this request; its log has the cause"), Map.of());
        } catch (IOException e) {
            log.debug("{} {}: client connection failed: {}", method, path, e.getMessage());
        } finally {
            exchange.close();
            inProgress.decrementAndGet();
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        String[] p = segments(path);
        if (p.length == 1 && p[0].equals("healthz")) {
            allow(method, "GET");
            send(ex, 200, "text/plain; charset=utf-8", "ok".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (dispatchModules(ex, method, p)) return;
        if (p.length < 3 || !p[0].equals("api") || !p[1].equals("v1")) throw notFound(path);
        String resource = p[2];
        if (resource.equals("enroll") && p.length == 3) {
            allow(method, "POST");
            enroll(ex);
        } else if (resource.equals("reports") && p.length == 3) {
            allow(method, "POST");
            uploadReports(ex);
        } else if (resource.equals("reports") && p.length == 5) {
            allow(method, "GET");
            readReport(ex, p[3], parseSeq(p[4]));
        } else if (resource.equals("hosts") && p.length == 3) {
            allow(method, "GET");
            listHosts(ex);
        } else if (resource.equals("hosts") && p.length == 4) {
            allow(method, "GET");
            readHost(ex, p[3]);
        } else if (resource.equals("hosts") && p.length == 5 && p[4].equals("reports")) {
            allow(method, "GET");
            listReports(ex, p[3]);
        } else {
            throw notFound(path);
        }
    }

    // --- routes ---

    private void enroll(HttpExchange ex) throws IOException {
        TokenRecord token = auth.authenticate(ex);
        Authenticator.require(token, Role.ENROLL, Role.ADMIN);
        EnrollRequest request = parse(RequestBodies.read(ex, maxBodyBytes), EnrollRequest.class);
        try {
            sendJson(ex, 200, Json.toBytes(enrollment.enroll(request, token.tokenHash())));
        } catch (IngestRejectedException e) {
            throw rejected(e);
        }
    }

    private void uploadReports(HttpExchange ex) throws IOException {
        TokenRecord token = auth.authenticate(ex);
        Authenticator.require(token, Role.HOST);
        if (!gate.tryEnter()) {
            int retryAfter = gate.retryAfterSeconds();
            throw new ApiException(Problem.of(429, "busy", "Collector busy",
                    "the collector is processing as many uploads as it allows; retry after " + retryAfter + " s"),
                    Map.of("Retry-After", Integer.toString(retryAfter)));
        }
        try {
            List<RawEnvelope> batch = parseBatch(RequestBodies.read(ex, maxBodyBytes));
            sendJson(ex, 200, Json.toBytes(ingestor.ingest(token.hostId().orElseThrow(), batch,
                    ex.getRemoteAddress().getAddress().getHostAddress())));
        } catch (IngestRejectedException e) {
            throw rejected(e);
        } finally {
            gate.exit();
        }
    }

    private void listHosts(HttpExchange ex) throws IOException {
        Authenticator.require(auth.authenticate(ex), Role.AUDITOR, Role.ADMIN);
        JsonArray hosts = new JsonArray();
        for (HostRecord h : store.read(Store.ReadTx::listHosts)) hosts.add(Views.hostSummary(h));
        JsonObject body = new JsonObject();
        body.add("hosts", hosts);
        sendJson(ex, 200, GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private void readHost(HttpExchange ex, String hostId) throws IOException {
        Authenticator.require(auth.authenticate(ex), Role.AUDITOR, Role.ADMIN);
        JsonObject body = store.read(tx -> tx.findHost(hostId).map(h -> Views.hostDetail(h, tx.listEvents(hostId))))
                .orElseThrow(() -> ApiException.notFound("no host " + hostId + " is enrolled"));
        sendJson(ex, 200, GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private void listReports(HttpExchange ex, String hostId) throws IOException {
        Authenticator.require(auth.authenticate(ex), Role.AUDITOR, Role.ADMIN);
        Map<String, String> q = query(ex);
        long from = q.containsKey("from") ? parseTime("from", q.get("from")) : Long.MIN_VALUE;
        long to = q.containsKey("to") ? parseTime("to", q.get("to")) : Long.MAX_VALUE;
        int limit = q.containsKey("limit") ? (int) parseLong("limit", q.get("limit"), 1, MAX_PAGE) : DEFAULT_PAGE;
        long after = q.containsKey("after") ? parseLong("after", q.get("after"), 0, Long.MAX_VALUE) : 0;
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
        body.add("nextAfter", more ? new com.google.gson.JsonPrimitive(page.get(page.size() - 1).seq()) : JsonNull.INSTANCE);
        sendJson(ex, 200, GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private void readReport(HttpExchange ex, String hostId, long seq) throws IOException {
        Authenticator.require(auth.authenticate(ex), Role.AUDITOR, Role.ADMIN);
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
        sendJson(ex, 200, GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Routes contributed by feature modules ({@link RouteModule}); a bridge until the route table
     * is the only dispatch. Returns false when no module route matches the path.
     */
    private boolean dispatchModules(HttpExchange ex, String method, String[] p) throws IOException {
        List<String> allowed = new java.util.ArrayList<>();
        for (Route r : moduleRoutes) {
            Map<String, String> params = match(r.pattern(), p);
            if (params == null) continue;
            if (!r.method().equals(method)) {
                allowed.add(r.method());
                continue;
            }
            java.util.Optional<TokenRecord> token = java.util.Optional.empty();
            if (!r.roles().isEmpty()) {
                TokenRecord t = auth.authenticate(ex);
                Authenticator.require(t, r.roles().toArray(Role[]::new));
                token = java.util.Optional.of(t);
            }
            Map<String, List<String>> q = new HashMap<>();
            query(ex).forEach((k, v) -> q.put(k, List.of(v)));
            Map<String, String> headers = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> { if (!v.isEmpty()) headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)); });
            byte[] body = method.equals("POST") || method.equals("PUT") ? RequestBodies.read(ex, maxBodyBytes) : new byte[0];
            ApiResponse response;
            try {
                response = r.handler().handle(new ApiRequest(method, ex.getRequestURI().getPath(), params, q, headers,
                        body, token, ex.getRemoteAddress().getAddress().getHostAddress()));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            response.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.getResponseHeaders().set("Content-Type", response.contentType());
            ex.sendResponseHeaders(response.status(), 0);
            try (OutputStream out = ex.getResponseBody()) {
                response.body().writeTo(out);
            }
            return true;
        }
        if (!allowed.isEmpty()) allow(method, String.join(", ", allowed));
        return false;
    }

    /** Path parameters when {@code pattern} matches the segments, else null. */
    private static Map<String, String> match(String pattern, String[] p) {
        String[] want = segments(pattern);
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

    // --- helpers ---

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
                e.acks()), Map.of());
    }

    private static <T> T parse(byte[] body, Class<T> type) {
        try {
            return Json.fromBytes(body, type);
        } catch (ProtocolException e) {
            throw ApiException.malformed("the body is not a valid " + type.getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The envelopes of a report batch with their exact bytes (stored and logged verbatim). */
    private static List<RawEnvelope> parseBatch(byte[] body) {
        try {
            return RawEnvelope.parseBatch(body);
        } catch (ProtocolException e) {
            throw ApiException.malformed("the body is not a valid ReportBatch: " + e.getMessage());
        }
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiException(Problem.of(405, "method-not-allowed", "Method not allowed",
                    method + " is not allowed here; use " + allowed), Map.of("Allow", allowed));
        }
    }

    private static ApiException notFound(String path) {
        return ApiException.notFound("no such endpoint: " + path);
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) trimmed = trimmed.substring(0, trimmed.length() - 1);
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    private static long parseSeq(String text) {
        return parseLong("seq", text, 1, Long.MAX_VALUE);
    }

    private static long parseLong(String name, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.malformed(name + " \"" + text + "\" is not a whole number");
        }
        if (v < min || v > max) {
            throw ApiException.malformed(name + " is " + v + "; it must be between " + min + " and " + max);
        }
        return v;
    }

    /** An ISO-8601 instant ({@code 2025-01-01T00:00:00Z}) or epoch milliseconds, as epoch ms. */
    static long parseTime(String name, String text) {
        if (!text.isEmpty() && text.chars().allMatch(c -> Character.isDigit(c) || c == '-')) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                // fall through to the ISO form and its message
            }
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ApiException.malformed(name + " \"" + text + "\" is neither an ISO-8601 instant"
                    + " (e.g. 2025-01-01T00:00:00Z) nor epoch milliseconds");
        }
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void sendJson(HttpExchange ex, int status, byte[] body) throws IOException {
        send(ex, status, JSON, body);
    }

    private static void sendProblem(HttpExchange ex, Problem problem, Map<String, String> headers) {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        try {
            send(ex, problem.status(), PROBLEM_JSON, Json.toBytes(problem));
        } catch (IOException e) {
            log.debug("cannot send problem {}: {}", problem.type(), e.getMessage());
        }
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
