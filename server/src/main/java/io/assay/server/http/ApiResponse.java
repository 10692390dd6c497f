package io.assay.server.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers. The body is written by the front; a large body (an evidence bundle, a
 * PDF) streams through {@link Body} instead of being held in memory.
 */
public record ApiResponse(int status, String contentType, Map<String, String> headers, Body body) {
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";

    /** Writes the response body; called once, after the status and headers are sent. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public ApiResponse {
        requireNonNull(contentType, "contentType");
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
    }

    public static ApiResponse bytes(int status, String contentType, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new ApiResponse(status, contentType, Map.of(), out -> out.write(copy));
    }

    public static ApiResponse json(byte[] utf8Json) {
        return bytes(200, JSON, utf8Json);
    }

    public static ApiResponse text(String text) {
        return bytes(200, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static ApiResponse stream(String contentType, Map<String, String> headers, Body body) {
        return new ApiResponse(200, contentType, headers, body);
    }

    public ApiResponse withHeader(String name, String value) {
        java.util.HashMap<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, contentType, h, body);
    }
}
