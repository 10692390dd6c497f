package io.assay.server.log;

import io.assay.protocol.ProtocolException;
import io.assay.protocol.VerificationException;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Cosignature;
import io.assay.protocol.log.SignedNote;
import io.assay.protocol.log.TreeHash;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The client side of {@code c2sp.org/tlog-witness}: {@code POST <prefix>/add-checkpoint} with
 * {@code old N}, the consistency proof lines, a blank line and the signed checkpoint. Every call
 * is bounded by {@link #TIMEOUT}. Thread-safe.
 */
final class WitnessClient {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** What a witness answered. */
    sealed interface Answer {}

    /** 200: its cosignature line, verified against its key. */
    record Cosigned(SignedNote.Signature line) implements Answer {}

    /** 409 with a size: the witness last cosigned another size; retry from it. */
    record WrongOldSize(long size) implements Answer {}

    /** Anything else: status and a one-line reason. */
    record Refused(int status, String reason) implements Answer {}

    Answer addCheckpoint(LogConfig.Witness witness, String signedNote, Checkpoint checkpoint, long oldSize,
            List<TreeHash> proof) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("old ").append(oldSize).append('\n');
        proof.forEach(h -> body.append(h.base64()).append('\n'));
        body.append('\n').append(signedNote);
        URI uri = URI.create(witness.url().toString().replaceAll("/+$", "") + "/add-checkpoint");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String text = r.body() == null ? "" : r.body();
        if (r.statusCode() == 409 && r.headers().firstValue("Content-Type").orElse("").startsWith("text/x.tlog.size")) {
            OptionalLong size = parseSize(text);
            if (size.isPresent()) return new WrongOldSize(size.getAsLong());
        }
        if (r.statusCode() != 200) {
            String first = text.lines().findFirst().orElse("");
            return new Refused(r.statusCode(), first.length() > 200 ? first.substring(0, 200) : first);
        }
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            try {
                SignedNote.Signature sig = SignedNote.Signature.parseLine(line);
                if (!sig.name().equals(witness.key().name()) || sig.keyHash() != witness.key().keyHash()) continue;
                Cosignature.verify(witness.key(), sig, checkpoint);
                return new Cosigned(sig);
            } catch (ProtocolException | VerificationException e) {
                return new Refused(200, "the witness answered a cosignature that does not verify: " + e.getMessage());
            }
        }
        return new Refused(200, "the witness answered no cosignature by its key " + witness.key().name());
    }

    private static OptionalLong parseSize(String text) {
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
