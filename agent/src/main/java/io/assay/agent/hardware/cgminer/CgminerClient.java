package io.assay.agent.hardware.cgminer;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.assay.agent.evidence.LoopbackClient;
import io.assay.agent.sample.Reading;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Asks a cgminer-style RPC API on loopback what it is mining: {@code summary} (hash rate, shares),
 * then {@code devs} and {@code pools}, one connection each (the API closes after every answer).
 * Each exchange is bounded by {@code timeoutMs} and {@code maxBytes}; the answer is JSON ended by a
 * NUL byte. An API that answers {@code summary} with its {@code STATUS} and {@code SUMMARY} is a
 * miner, whatever process serves it: an ASIC controller burns no CPU on the host.
 *
 * <p>Only loopback addresses are asked ({@link LoopbackClient} refuses others): the agent looks at
 * its own host, never scans a network.
 */
public final class CgminerClient {
    /** The port cgminer and the ASIC firmwares listen on. */
    public static final int WELL_KNOWN_PORT = 4028;
    private static final String SOURCE = "cgminer-api";

    private final int timeoutMs;
    private final int maxBytes;

    public CgminerClient(int timeoutMs, int maxBytes) {
        if (timeoutMs <= 0 || maxBytes <= 0) throw new IllegalArgumentException("timeoutMs and maxBytes must be positive");
        this.timeoutMs = timeoutMs;
        this.maxBytes = maxBytes;
    }

    /** Asks {@code to}:{@code port}; absent (with why) when nothing answers as a miner API there. Never throws. */
    public Reading<MinerApiAnswer> ask(InetAddress to, int port) {
        requireNonNull(to, "to");
        String endpoint = (to.getHostAddress().contains(":") ? "[" + to.getHostAddress() + "]" : to.getHostAddress()) + ":" + port;
        Exchange summary = exchange(to, port, "summary");
        if (!summary.connected) return Reading.absent(SOURCE, "nothing listens on " + endpoint);
        if (summary.text.isEmpty()) {
            return Reading.absent(SOURCE, endpoint + " closed the connection or gave no answer within " + timeoutMs + " ms");
        }
        Optional<JsonObject> s = parse(summary.text);
        Optional<JsonObject> row = s.flatMap(o -> first(o, "SUMMARY"));
        if (s.isEmpty() || first(s.get(), "STATUS").isEmpty() || row.isEmpty()) {
            return Reading.absent(SOURCE, endpoint + " answered, but not as a cgminer API: \"" + printable(summary.text) + "\"");
        }
        String software = first(s.get(), "STATUS").map(st -> string(st, "Description")).orElse("");
        double mhs = number(row.get(), "MHS av").orElse(number(row.get(), "GHS av").map(g -> g * 1000).orElse(0.0));
        long accepted = number(row.get(), "Accepted").map(Double::longValue).orElse(0L);

        List<String> notes = new ArrayList<>();
        int devices = 0;
        Optional<JsonArray> devs = parse(exchange(to, port, "devs").text).flatMap(o -> array(o, "DEVS"));
        if (devs.isPresent()) devices = devs.get().size();
        else notes.add("devs: no DEVS list in the answer");
        List<String> pools = new ArrayList<>();
        Optional<JsonArray> p = parse(exchange(to, port, "pools").text).flatMap(o -> array(o, "POOLS"));
        if (p.isPresent()) {
            for (JsonElement e : p.get()) {
                if (e.isJsonObject() && !string(e.getAsJsonObject(), "URL").isEmpty()) pools.add(string(e.getAsJsonObject(), "URL"));
            }
        } else {
            notes.add("pools: no POOLS list in the answer");
        }
        return Reading.present(SOURCE, new MinerApiAnswer(endpoint, software, mhs, accepted, devices, pools, notes));
    }

    private record Exchange(boolean connected, String text) {}

    private Exchange exchange(InetAddress to, int port, String command) {
        byte[] request = ("{\"command\":\"" + command + "\"}").getBytes(StandardCharsets.US_ASCII);
        LoopbackClient.Answer a = LoopbackClient.exchange(to, port, request, timeoutMs, maxBytes, b -> false);
        String text = new String(a.bytes(), StandardCharsets.ISO_8859_1); // any byte decodes: garbage cannot fail here
        int nul = text.indexOf('\0');
        return new Exchange(a.connected(), (nul >= 0 ? text.substring(0, nul) : text).trim());
    }

    /** The answer as a JSON object; lenient (NaN, unquoted names), since cgminer builds its JSON by hand. */
    static Optional<JsonObject> parse(String text) {
        if (text.isEmpty()) return Optional.empty();
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.LENIENT);
            JsonElement e = JsonParser.parseReader(r);
            return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
        } catch (JsonParseException | IllegalStateException | StackOverflowError e) {
            return Optional.empty();
        }
    }

    private static Optional<JsonArray> array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonArray() ? Optional.of(e.getAsJsonArray()) : Optional.empty();
    }

    private static Optional<JsonObject> first(JsonObject o, String key) {
        return array(o, key).filter(a -> a.size() > 0 && a.get(0).isJsonObject()).map(a -> a.get(0).getAsJsonObject());
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
    }

    private static Optional<Double> number(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) return Optional.empty();
        try {
            return Optional.of(Double.parseDouble(e.getAsString()));
        } catch (NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.substring(0, Math.min(40, s.length())).toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : String.format(Locale.ROOT, "\\x%02x", (int) c));
        }
        return s.length() > 40 ? b + "…" : b.toString();
    }
}
