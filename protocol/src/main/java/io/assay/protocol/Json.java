package io.assay.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import java.nio.charset.StandardCharsets;

/**
 * The one Gson configuration of the protocol. Decoding is strict: malformed JSON, trailing data,
 * or a record whose constructor rejects the values all become a {@link ProtocolException}.
 */
public final class Json {
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .setStrictness(Strictness.STRICT)
            .create();
    private static final Gson PRETTY = GSON.newBuilder().setPrettyPrinting().create();

    private Json() {}

    public static String toJson(Object value) {
        return GSON.toJson(value);
    }

    public static String toPrettyJson(Object value) {
        return PRETTY.toJson(value);
    }

    public static byte[] toBytes(Object value) {
        return toJson(value).getBytes(StandardCharsets.UTF_8);
    }

    public static <T> T fromJson(String json, Class<T> type) {
        T value;
        try {
            value = GSON.fromJson(json, type);
        } catch (JsonParseException e) {
            throw new ProtocolException("malformed " + type.getSimpleName() + " JSON: " + rootMessage(e), e);
        } catch (RuntimeException e) {
            // Record constructors validate; Gson surfaces their complaint wrapped or bare.
            throw new ProtocolException("invalid " + type.getSimpleName() + ": " + rootMessage(e), e);
        }
        if (value == null) throw new ProtocolException("empty " + type.getSimpleName() + " JSON");
        return value;
    }

    public static <T> T fromBytes(byte[] json, Class<T> type) {
        return fromJson(new String(json, StandardCharsets.UTF_8), type);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        if (root instanceof NullPointerException) return "missing field " + (m == null ? "" : m);
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
