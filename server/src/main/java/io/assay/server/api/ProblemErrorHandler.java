package io.assay.server.api;

import io.assay.protocol.Json;
import io.assay.protocol.api.Problem;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals (a bad {@code %}-escape, an ambiguous path, an oversized header, a bad
 * request line) as problem JSON like every other refusal, never Jetty's HTML page, and with no
 * stack trace or cause in the answer.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final RequestObserver observer;

    ProblemErrorHandler(RequestObserver observer) {
        this.observer = observer;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        Object message = request.getAttribute(ERROR_MESSAGE);
        Problem problem = problem(status, message instanceof String m ? m : null);
        String method = RequestObserver.method(request.getMethod());
        Callback done = Callback.from(callback, () -> observer.answered(method, RequestObserver.JETTY,
                problem.status(), System.nanoTime() - request.getBeginNanoTime()));
        ApiHandler.writeProblem(request, response, done, problem, Map.of(), observer);
        return true;
    }

    /** Used by Jetty when a request cannot even be parsed (no {@link Request} exists yet). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        Problem problem = problem(status, reason);
        observer.refused(problem.type(), problem.status());
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, ApiHandler.PROBLEM_JSON));
        return ByteBuffer.wrap(Json.toBytes(problem));
    }

    static Problem problem(int status, String jettyReason) {
        String reason = jettyReason == null || jettyReason.isBlank() ? "" : " (" + Limits.excerpt(jettyReason) + ")";
        return switch (status) {
            case 400 -> Problem.of(400, "malformed", "Malformed request",
                    "the request could not be parsed" + reason + "; check the path's %-escapes and the headers");
            case 404 -> Problem.of(404, "not-found", "Not found", "no such endpoint" + reason);
            case 405 -> Problem.of(405, "method-not-allowed", "Method not allowed", "method not allowed" + reason);
            case 408 -> Problem.of(408, "timeout", "Request too slow",
                    "the request did not arrive in time" + reason + "; send it at once");
            case 413 -> Problem.of(413, "too-large", "Request too large", "the request is too large" + reason);
            case 414 -> Problem.of(414, "uri-too-long", "URI too long",
                    "the request line is longer than this collector accepts" + reason);
            case 431 -> Problem.of(431, "headers-too-large", "Request headers too large",
                    "the request's headers are larger than this collector accepts" + reason + "; send fewer or shorter headers");
            // Jetty says 505 for a request line whose version it cannot read; that is the client's mistake.
            case 505 -> Problem.of(400, "malformed", "Malformed request",
                    "the request line is not 'METHOD /path HTTP/1.1'" + reason + "; check for spaces in the path");
            case 503 -> Problem.of(503, "unavailable", "Unavailable", "the collector cannot answer now" + reason + "; retry later");
            default -> status >= 500
                    ? Problem.of(status, "internal", "Internal error",
                            "the collector failed to handle this request; its log has the cause")
                    : Problem.of(status, "refused", "Request refused", "the request was refused" + reason);
        };
    }
}
