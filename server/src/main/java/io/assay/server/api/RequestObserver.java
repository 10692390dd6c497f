package io.assay.server.api;

import java.util.Locale;
import java.util.Set;

/**
 * Told by the HTTP front of every request it answers and every refusal it sends, wherever the
 * refusal was made: a route's handler, the front's own limits (body size and time, the ingest
 * gate, shutdown) or Jetty itself (a bad request line, oversized headers). Implementations must be
 * thread-safe and quick: they run on the thread that completes the answer.
 *
 * <p>Labels are bounded so a stranger cannot blow up a metrics registry: the route is the route
 * table's pattern (never the raw path) or one of {@link #UNMATCHED}, {@link #OPTIONS},
 * {@link #JETTY}; the method is one of the methods the front knows or {@code OTHER}.
 */
public interface RequestObserver {
    /** No route has the path (404), or has it for another method (405), or the collector is closing. */
    String UNMATCHED = "(unmatched)";
    /** An OPTIONS request, answered from the route table without a handler. */
    String OPTIONS = "(options)";
    /** Refused by Jetty before the route table saw it (bad request line, oversized header, bad URI). */
    String JETTY = "(jetty)";

    RequestObserver NONE = new RequestObserver() {
        @Override
        public void answered(String method, String route, int status, long nanos) {}

        @Override
        public void refused(String type, int status) {}
    };

    /**
     * A request was answered (or its answer failed to send).
     *
     * @param method {@link #method(String)} of the request's method
     * @param nanos from the request's first byte to the end of the answer
     */
    void answered(String method, String route, int status, long nanos);

    /** A problem answer was sent; {@code type} is the problem's {@code type}. */
    void refused(String type, int status);

    /** The method as a label: itself when it is one the front knows, else {@code OTHER}. */
    static String method(String method) {
        String m = method.toUpperCase(Locale.ROOT);
        return KNOWN_METHODS.contains(m) ? m : "OTHER";
    }

    Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
}
