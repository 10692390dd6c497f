package io.assay.server.api;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.api.Problem;
import java.util.Map;

/** A request is answered with a problem instead of a result. Thrown by routes, mapped by {@link HttpApi}. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final transient Map<String, String> headers;

    public ApiException(Problem problem, Map<String, String> headers) {
        super(problem.type() + ": " + problem.detail());
        this.problem = requireNonNull(problem, "problem");
        this.headers = Map.copyOf(headers);
    }

    public static ApiException of(int status, String type, String title, String detail) {
        return new ApiException(Problem.of(status, type, title, detail), Map.of());
    }

    public static ApiException malformed(String detail) {
        return of(400, "malformed", "Malformed request", detail);
    }

    public static ApiException notFound(String detail) {
        return of(404, "not-found", "Not found", detail);
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
