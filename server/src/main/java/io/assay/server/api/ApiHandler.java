package io.assay.server.api;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Json;
import io.assay.protocol.api.Problem;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.store.Role;
import io.assay.server.store.TokenRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Jetty handler of the collector: looks the request up in the {@link RouteTable},
 * authenticates it, reads its body completely ({@link BodyReader}), runs the route's handler and
 * turns every exception into problem JSON, in one place. Thread-safe.
 *
 * <p>HEAD is answered for every GET route without a body; OPTIONS with the path's methods in
 * {@code Allow}; neither logs anything beyond the access log line.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    static final String PROBLEM_JSON = "application/problem+json";
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final RouteTable table;
    private final Authenticator auth;
    private final long maxBodyBytes;
    private final Duration bodyTimeout;
    private final RequestObserver observer;
    private final AtomicInteger inProgress = new AtomicInteger();
    private volatile boolean closing;

    ApiHandler(RouteTable table, Authenticator auth, long maxBodyBytes, Duration bodyTimeout, RequestObserver observer) {
        this.table = requireNonNull(table, "table");
        this.auth = requireNonNull(auth, "auth");
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = requireNonNull(bodyTimeout, "bodyTimeout");
        this.observer = requireNonNull(observer, "observer");
    }

    /** From now on new requests get 503; requests in progress finish. */
    void beginShutdown() {
        closing = true;
    }

    /** Waits until no request is in progress or {@code timeout} passes; true when idle. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inProgress.get() > 0) {
            if (System.nanoTime() - deadline >= 0) return false;
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        inProgress.incrementAndGet();
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        // The route label is known only once the table is asked; the answer's end (maybe on another thread) reads it.
        AtomicReference<String> route = new AtomicReference<>(RequestObserver.UNMATCHED);
        Callback done = Callback.from(callback, () -> {
            inProgress.decrementAndGet();
            observer.answered(RequestObserver.method(method), route.get(), response.getStatus(),
                    System.nanoTime() - request.getBeginNanoTime());
        });
        try {
            if (closing) {
                throw ApiException.of(503, "unavailable", "Shutting down", "the collector is shutting down; retry later");
            }
            dispatch(request, response, done, method, path, route);
        } catch (ApiException e) {
            answerProblem(request, response, done, e);
        } catch (RuntimeException e) {
            answerInternal(request, response, done, e);
        }
        return true;
    }

    private void dispatch(Request request, Response response, Callback done, String method, String path,
            AtomicReference<String> route) {
        if (method.equals("OPTIONS")) {
            route.set(RequestObserver.OPTIONS);
            Set<String> methods = table.methodsFor(path).orElseThrow(() -> notFound(path));
            response.setStatus(204);
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", methods));
            response.write(true, null, done);
            return;
        }
        RouteTable.Lookup lookup = table.lookup(method, path);
        if (lookup instanceof RouteTable.WrongMethod w) {
            throw new ApiException(Problem.of(405, "method-not-allowed", "Method not allowed",
                    Limits.excerpt(method) + " is not allowed here; use " + String.join(", ", w.allowed())),
                    Map.of("Allow", String.join(", ", w.allowed())));
        }
        if (!(lookup instanceof RouteTable.Found found)) throw notFound(path);
        RouteTable.Match match = found.match();
        Route matched = match.route();
        route.set(matched.pattern());
        Optional<TokenRecord> token = Optional.empty();
        if (!matched.roles().isEmpty()) {
            TokenRecord t = auth.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
            Authenticator.require(t, matched.roles().toArray(Role[]::new));
            token = Optional.of(t);
        }
        Optional<TokenRecord> authenticated = token;
        if (!BODY_METHODS.contains(method)) {
            run(request, response, done, match, authenticated, new byte[0]);
            return;
        }
        // The body arrives asynchronously; the handler runs once it is complete.
        BodyReader.read(request, maxBodyBytes, bodyTimeout, request.getComponents().getScheduler(),
                body -> {
                    try {
                        run(request, response, done, match, authenticated, body);
                    } catch (ApiException e) {
                        answerProblem(request, response, done, e);
                    } catch (RuntimeException e) {
                        answerInternal(request, response, done, e);
                    }
                },
                e -> answerProblem(request, response, done, e));
    }

    private void run(Request request, Response response, Callback done, RouteTable.Match match,
            Optional<TokenRecord> token, byte[] body) {
        ApiRequest api = new ApiRequest(request.getMethod(), Request.getPathInContext(request), match.pathParams(),
                query(request), headers(request), body, token, Request.getRemoteAddr(request));
        ApiResponse answer;
        try {
            answer = match.route().handler().handle(api);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        response.setStatus(answer.status());
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        if (request.getMethod().equals("HEAD")) {
            response.write(true, null, done);
            return;
        }
        try (OutputStream out = Response.asBufferedOutputStream(request, response)) {
            answer.body().writeTo(out);
        } catch (IOException e) {
            log.debug("{} {}: client connection failed: {}", request.getMethod(), api.path(), e.getMessage());
            done.failed(e);
            return;
        } catch (RuntimeException e) {
            // Headers may be out already; all we can do is abort the response and say why in the log.
            log.error("{} {}: failed while writing the answer", request.getMethod(), api.path(), e);
            done.failed(e);
            return;
        }
        done.succeeded();
    }

    private void answerProblem(Request request, Response response, Callback done, ApiException e) {
        log.debug("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), e.getMessage());
        writeProblem(request, response, done, e.problem(), e.headers(), observer);
    }

    private void answerInternal(Request request, Response response, Callback done, RuntimeException e) {
        log.error("{} {}: internal error", request.getMethod(), request.getHttpURI().getPath(), e);
        writeProblem(request, response, done, Problem.of(500, "internal", "Internal error",
                "the collector failed to handle this request; its log has the cause"), Map.of(), observer);
    }

    /**
     * Writes a problem answer, asynchronously (it may be called from the scheduler's thread), and
     * tells {@code observer}: every problem the collector sends goes through here or through
     * {@link ProblemErrorHandler#badMessageError}, so the refusal counts miss none.
     */
    static void writeProblem(Request request, Response response, Callback done, Problem problem,
            Map<String, String> headers, RequestObserver observer) {
        observer.refused(problem.type(), problem.status());
        if (response.isCommitted()) {
            done.failed(new IOException("answer already started; cannot send problem " + problem.type()));
            return;
        }
        response.reset();
        response.setStatus(problem.status());
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        byte[] bytes = Json.toBytes(problem);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        boolean head = request.getMethod().equals("HEAD");
        response.write(true, head ? null : ByteBuffer.wrap(bytes), done);
    }

    private static ApiException notFound(String path) {
        return ApiException.notFound("no such endpoint: " + Limits.excerpt(path));
    }

    private static Map<String, List<String>> query(Request request) {
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw ApiException.malformed("the query string is not valid (bad %-escape or encoding)");
        }
        Map<String, List<String>> out = new HashMap<>();
        for (Fields.Field f : fields) out.put(f.getName(), List.copyOf(f.getValues()));
        return out;
    }

    private static Map<String, String> headers(Request request) {
        Map<String, String> out = new HashMap<>();
        for (HttpField f : request.getHeaders()) {
            out.putIfAbsent(f.getName().toLowerCase(Locale.ROOT), f.getValue() == null ? "" : f.getValue());
        }
        // HTTP/2 names the authority in a pseudo-header, not in Host; same-origin checks need it either way.
        String authority = request.getHttpURI().getAuthority();
        if (authority != null && !authority.isEmpty()) out.putIfAbsent("host", authority);
        return out;
    }
}
