package io.assay.server.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads the collector's auditor API as an auditor would, following pages. */
record AuditorClient(URI url, String token) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Index rows of a host's reports with seq greater than {@code afterSeq}, in seq order. */
    List<JsonObject> reports(String hostId, long afterSeq) {
        List<JsonObject> out = new ArrayList<>();
        long cursor = afterSeq;
        while (true) {
            JsonObject page = get("/api/v1/hosts/" + hostId + "/reports?limit=1000&after=" + cursor);
            for (JsonElement e : page.getAsJsonArray("reports")) out.add(e.getAsJsonObject());
            JsonElement next = page.get("nextAfter");
            if (next == null || next.isJsonNull()) return out;
            cursor = next.getAsLong();
        }
    }

    /** One stored report: envelope, payload and verification. */
    JsonObject report(String hostId, long seq) {
        return get("/api/v1/reports/" + hostId + "/" + seq);
    }

    long lastSeq(String hostId) {
        List<JsonObject> all = reports(hostId, 0);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).get("seq").getAsLong();
    }

    JsonObject get(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url.resolve(path))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
