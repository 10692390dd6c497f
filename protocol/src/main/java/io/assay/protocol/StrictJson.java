package io.assay.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A strict RFC 8259 reader for signed bytes, applied before Gson sees them: well-formed UTF-8,
 * exactly one value, and no object with a key twice. Gson alone keeps the last of two
 * {@code "hostId"} keys, so another tool reading the same signed bytes could see another host;
 * refusing duplicates makes every reader agree. It also cuts a batch into its elements' exact
 * bytes, so the collector stores and logs each envelope as the agent sent it.
 */
public final class StrictJson {
    private final byte[] b;
    private int i;

    private StrictJson(byte[] b) {
        this.b = b;
    }

    /** @throws ProtocolException the bytes are not one strict JSON value */
    public static void validate(byte[] json) {
        utf8(json);
        StrictJson p = new StrictJson(json);
        p.ws();
        p.value(null);
        p.ws();
        if (p.i != json.length) throw p.error("trailing data after the JSON value");
    }

    /**
     * The exact bytes of each element of the array under {@code key} of a top-level object that
     * has no other key, after validating the whole document strictly.
     */
    public static List<byte[]> arrayElements(byte[] json, String key) {
        utf8(json);
        StrictJson p = new StrictJson(json);
        List<byte[]> out = new ArrayList<>();
        p.ws();
        if (p.peek() != '{') throw p.error("expected a JSON object with \"" + key + "\"");
        p.i++;
        p.ws();
        boolean found = false;
        if (p.peek() != '}') {
            while (true) {
                p.ws();
                String k = p.string();
                if (!k.equals(key)) throw p.error("unknown field \"" + k + "\"; the only field is \"" + key + "\"");
                if (found) throw p.error("duplicate key \"" + k + "\"");
                found = true;
                p.ws();
                p.expect(':');
                p.ws();
                p.value(out);
                p.ws();
                if (p.peek() == ',') {
                    p.i++;
                    continue;
                }
                break;
            }
        }
        p.expect('}');
        p.ws();
        if (p.i != json.length) throw p.error("trailing data after the JSON value");
        if (!found) throw new ProtocolException("missing field \"" + key + "\"");
        return out;
    }

    /**
     * Refuses any object key that is not a component of the record it maps to, recursively
     * through record-typed components and lists of records. The known fields are derived from the
     * record components, so a field appended to a record is accepted without touching this.
     *
     * @throws ProtocolException naming the unknown field and where it is
     */
    public static void requireKnownFields(byte[] json, Class<? extends Record> type) {
        JsonElement root;
        try {
            root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new ProtocolException("malformed JSON: " + e.getMessage(), e);
        }
        known(root, type, type.getSimpleName());
    }

    private static void known(JsonElement e, Type type, String path) {
        if (e == null || e.isJsonNull()) return;
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : type instanceof Class<?> c ? c : null;
        if (raw == null) return;
        if (raw.isRecord() && e.isJsonObject()) {
            Map<String, Type> components = new HashMap<>();
            for (RecordComponent c : raw.getRecordComponents()) components.put(c.getName(), c.getGenericType());
            for (Map.Entry<String, JsonElement> field : e.getAsJsonObject().entrySet()) {
                Type t = components.get(field.getKey());
                if (t == null) {
                    throw new ProtocolException("unknown field \"" + field.getKey() + "\" in " + path
                            + "; this build knows " + new TreeSet<>(components.keySet()));
                }
                known(field.getValue(), t, path + "." + field.getKey());
            }
        } else if (List.class.isAssignableFrom(raw) && e.isJsonArray() && type instanceof ParameterizedType p) {
            Type element = p.getActualTypeArguments()[0];
            int i = 0;
            for (JsonElement item : e.getAsJsonArray()) known(item, element, path + "[" + i++ + "]");
        }
    }

    private static void utf8(byte[] json) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json));
        } catch (CharacterCodingException e) {
            throw new ProtocolException("the JSON is not well-formed UTF-8", e);
        }
    }

    private ProtocolException error(String what) {
        return new ProtocolException("strict JSON: " + what + " at byte " + i);
    }

    private int peek() {
        if (i >= b.length) throw error("unexpected end");
        return b[i] & 0xff;
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        i++;
    }

    private void ws() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) i++;
    }

    /** Parses one value; when {@code elements} is given the value must be an array and its elements' bytes are collected. */
    private void value(List<byte[]> elements) {
        int c = peek();
        if (elements != null && c != '[') throw error("expected an array");
        switch (c) {
            case '{' -> object();
            case '[' -> array(elements);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void object() {
        i++;
        ws();
        if (peek() == '}') {
            i++;
            return;
        }
        Set<String> keys = new HashSet<>();
        while (true) {
            ws();
            String k = string();
            if (!keys.add(k)) throw error("duplicate key \"" + k + "\"");
            ws();
            expect(':');
            ws();
            value(null);
            ws();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect('}');
            return;
        }
    }

    private void array(List<byte[]> elements) {
        i++;
        ws();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            ws();
            int start = i;
            value(null);
            if (elements != null) elements.add(Arrays.copyOfRange(b, start, i));
            ws();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect(']');
            return;
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        int runStart = i;
        while (true) {
            int c = peek();
            if (c == '"') {
                sb.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8));
                i++;
                return sb.toString();
            }
            if (c < 0x20) throw error("control character in a string");
            if (c == '\\') {
                sb.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8));
                i++;
                int e = peek();
                i++;
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 > b.length) throw error("truncated \\u escape");
                        String hex = new String(b, i, 4, StandardCharsets.US_ASCII);
                        try {
                            sb.append((char) Integer.parseInt(hex, 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw error("bad escape");
                }
                runStart = i;
                continue;
            }
            i++;
        }
    }

    private void literal(String word) {
        for (int k = 0; k < word.length(); k++) {
            if (i >= b.length || b[i] != word.charAt(k)) throw error("bad literal");
            i++;
        }
    }

    private void number() {
        int start = i;
        if (i < b.length && b[i] == '-') i++;
        if (i < b.length && b[i] == '0') {
            i++;
        } else if (digits() == 0) {
            i = start;
            throw error("unexpected character");
        }
        if (i < b.length && b[i] == '.') {
            i++;
            if (digits() == 0) throw error("bad number");
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) i++;
            if (digits() == 0) throw error("bad number");
        }
    }

    private int digits() {
        int n = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
            n++;
        }
        return n;
    }
}
