package io.assay.agent.detect;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON tree whose every value remembers the file and line it came from, so a rules or allowlist
 * error can say "local-rules.json:14: …". Comments ({@code //}, {@code #}) are accepted because
 * operators annotate these files; duplicate keys are refused (the second would silently win).
 */
record JsonTree(Object value, String file, int line) {
    private static final Pattern LINE = Pattern.compile(" at line (\\d+) column");

    static JsonTree parse(String file, String text) {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.LENIENT);
        try {
            JsonTree t = read(r, file);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new RulesException(file, lineOf(r), "unexpected content after the top-level value");
            }
            return t;
        } catch (RulesException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            String msg = String.valueOf(e.getMessage());
            Matcher m = LINE.matcher(msg);
            int line = m.find() ? Integer.parseInt(m.group(1)) : lineOf(r);
            String reason = msg.replaceAll(" at line \\d+ column \\d+ path \\S*", "").replaceAll("\\s*See https://\\S+", "");
            throw new RulesException(file, line, "not valid JSON: " + reason);
        }
    }

    private static JsonTree read(JsonReader r, String file) throws IOException {
        JsonToken tok = r.peek();
        int line = lineOf(r);
        switch (tok) {
            case BEGIN_OBJECT -> {
                Map<String, JsonTree> m = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    r.peek();
                    int keyLine = lineOf(r);
                    String k = r.nextName();
                    if (m.containsKey(k)) throw new RulesException(file, keyLine, "duplicate key \"" + k + "\"");
                    m.put(k, read(r, file));
                }
                r.endObject();
                return new JsonTree(m, file, line);
            }
            case BEGIN_ARRAY -> {
                List<JsonTree> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) l.add(read(r, file));
                r.endArray();
                return new JsonTree(l, file, line);
            }
            case STRING -> {
                return new JsonTree(r.nextString(), file, line);
            }
            case NUMBER -> {
                return new JsonTree(new java.math.BigDecimal(r.nextString()), file, line);
            }
            case BOOLEAN -> {
                return new JsonTree(r.nextBoolean(), file, line);
            }
            case NULL -> {
                r.nextNull();
                return new JsonTree(null, file, line);
            }
            default -> throw new RulesException(file, line, "unexpected " + tok);
        }
    }

    private static int lineOf(JsonReader r) {
        Matcher m = LINE.matcher(r.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    RulesException error(String reason) {
        return new RulesException(file, line, reason);
    }

    @SuppressWarnings("unchecked")
    Map<String, JsonTree> object(String what) {
        if (value instanceof Map<?, ?> m) return (Map<String, JsonTree>) m;
        throw error(what + " must be a JSON object");
    }

    @SuppressWarnings("unchecked")
    List<JsonTree> array(String what) {
        if (value instanceof List<?> l) return (List<JsonTree>) l;
        throw error(what + " must be a JSON array");
    }

    String string(String what) {
        if (value instanceof String s) return s;
        throw error(what + " must be a string");
    }

    java.math.BigDecimal number(String what) {
        if (value instanceof java.math.BigDecimal d) return d;
        throw error(what + " must be a number");
    }

    int integer(String what, int min, int max) {
        java.math.BigDecimal d = number(what);
        try {
            int v = d.intValueExact();
            if (v < min || v > max) throw error(what + " is " + v + "; it must be between " + min + " and " + max);
            return v;
        } catch (ArithmeticException e) {
            throw error(what + " must be a whole number, was " + d);
        }
    }

    List<String> strings(String what) {
        List<String> out = new ArrayList<>();
        for (JsonTree t : array(what)) {
            String s = t.string("each entry of " + what);
            if (s.isBlank()) throw t.error("an entry of " + what + " is blank");
            out.add(s);
        }
        return out;
    }

    /** Refuses keys this reader does not know (usually typos). */
    static void onlyKeys(Map<String, JsonTree> obj, String what, String... allowed) {
        List<String> ok = List.of(allowed);
        for (var e : obj.entrySet()) {
            if (!ok.contains(e.getKey())) {
                throw e.getValue().error("unknown key \"" + e.getKey() + "\" in " + what + "; known keys: " + String.join(", ", ok));
            }
        }
    }
}
