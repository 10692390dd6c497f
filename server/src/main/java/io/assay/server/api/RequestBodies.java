package io.assay.server.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads request bodies with a hard size bound. A body over the bound is never held whole: with a
 * Content-Length over the bound nothing is kept; without one, at most bound + 1 bytes are. The
 * rest is read and thrown away (up to {@link #DISCARD_LIMIT_BYTES}) so the client gets to read
 * our 413 instead of a reset connection; beyond that the connection is closed.
 */
final class RequestBodies {
    /** How much of an oversized body is drained to keep the connection orderly. */
    static final long DISCARD_LIMIT_BYTES = 64L * 1024 * 1024;

    private RequestBodies() {}

    static byte[] read(HttpExchange exchange, long maxBytes) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        InputStream in = exchange.getRequestBody();
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw ApiException.malformed("Content-Length \"" + declared + "\" is not a number");
            }
            if (length > maxBytes) {
                discard(exchange, in);
                throw tooLarge(length + " bytes", maxBytes);
            }
        }
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (body.length > maxBytes) {
            discard(exchange, in);
            throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
        }
        return body;
    }

    private static ApiException tooLarge(String size, long maxBytes) {
        return ApiException.of(413, "too-large", "Request body too large", "the body is " + size
                + " but this collector accepts at most " + maxBytes + " bytes per request; send smaller batches");
    }

    private static void discard(HttpExchange exchange, InputStream in) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < DISCARD_LIMIT_BYTES && (n = in.read(scratch)) >= 0) total += n;
        if (total >= DISCARD_LIMIT_BYTES) exchange.getResponseHeaders().set("Connection", "close");
    }
}
