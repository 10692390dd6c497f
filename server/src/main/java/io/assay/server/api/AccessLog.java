package io.assay.server.api;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the logger {@code assay.access}: peer, method, path, status, bytes
 * sent and milliseconds. Never the query string or any header, so no token or other secret ends
 * up in a log file. Silence it with {@code -Dorg.slf4j.simpleLogger.log.assay.access=warn}.
 */
final class AccessLog implements RequestLog {
    private static final Logger log = LoggerFactory.getLogger("assay.access");

    @Override
    public void log(Request request, Response response) {
        if (!log.isInfoEnabled()) return;
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.getBeginNanoTime());
        log.info("{} {} {} {} {}B {}ms", Request.getRemoteAddr(request), Limits.excerpt(request.getMethod()),
                Limits.excerpt(request.getHttpURI().getPath()), response.getStatus(),
                Response.getContentBytesWritten(response), ms);
    }
}
