package io.assay.server.http;

import io.assay.server.api.ApiException;
import io.assay.server.api.Limits;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Query parameter parsing with refusals as problem JSON (400 malformed), shared by route modules. */
public final class RequestParams {
    private RequestParams() {}

    /** A required whole number in {@code [min, max]}. */
    public static long requiredLong(ApiRequest r, String name, long min, long max) {
        return optionalLong(r, name, min, max).orElseThrow(() -> ApiException.malformed("query parameter " + name
                + " is required"));
    }

    public static Optional<Long> optionalLong(ApiRequest r, String name, long min, long max) {
        return r.queryParam(name).map(text -> parseLong(name, text, min, max));
    }

    /** A whole number in {@code [min, max]}; the refusal echoes at most an excerpt of the text. */
    public static long parseLong(String name, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.malformed(name + " \"" + Limits.excerpt(text) + "\" is not a whole number");
        }
        if (v < min || v > max) {
            throw ApiException.malformed(name + " is " + v + "; it must be between " + min + " and " + max);
        }
        return v;
    }

    public static String required(ApiRequest r, String name) {
        return r.queryParam(name).filter(s -> !s.isEmpty())
                .orElseThrow(() -> ApiException.malformed("query parameter " + name + " is required"));
    }

    /** An ISO-8601 instant ({@code 2025-01-01T00:00:00Z}) or epoch milliseconds, as epoch ms. */
    public static Optional<Long> optionalTime(ApiRequest r, String name) {
        Optional<String> text = r.queryParam(name);
        if (text.isEmpty()) return Optional.empty();
        return Optional.of(parseTime(name, text.get()));
    }

    public static long parseTime(String name, String text) {
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
            throw ApiException.malformed(name + " \"" + Limits.excerpt(text) + "\" is neither an ISO-8601 instant"
                    + " (e.g. 2025-01-01T00:00:00Z) nor epoch milliseconds");
        }
    }
}
