package io.assay.agent.detect;

import io.assay.agent.evidence.LoopbackClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Asks one listening port whether it is a miner's API, with the requests of
 * {@link Rules.MinerApis} in order, and recognises the answer by its shape: every pattern of one
 * {@link Rules.ApiAnswer} together, never one word ("hashrate" alone is in plenty of dashboards).
 * A port that answers HTTP gets no raw requests; one that does not answer HTTP gets no further GETs.
 */
final class MinerApiProbe {
    private static final Pattern HTTP_STATUS = Pattern.compile("^HTTP/\\d(\\.\\d)? \\d{3}");

    private MinerApiProbe() {}

    /** The outcome for one port: the API kind when recognised, and how many connections it took. */
    record Result(Optional<String> kind, String requestId, int connections) {}

    static Result probe(Rules.MinerApis apis, InetAddress to, int port) {
        boolean http = false;
        boolean notHttp = false;
        int connections = 0;
        for (Rules.ApiRequest r : apis.requests()) {
            if (r.http() ? notHttp : http) continue;
            LoopbackClient.Answer a = LoopbackClient.exchange(to, port, r.send().getBytes(StandardCharsets.ISO_8859_1),
                    apis.timeoutMs(), apis.maxBytes(), bytes -> classify(apis, text(bytes)).isPresent());
            connections++;
            if (!a.connected()) break; // nothing listens there any more
            String text = text(a.bytes());
            Optional<String> kind = classify(apis, text);
            if (kind.isPresent()) return new Result(kind, r.id(), connections);
            if (HTTP_STATUS.matcher(text).find()) http = true;
            else if (r.http()) notHttp = true;
        }
        return new Result(Optional.empty(), "", connections);
    }

    /** The kind of miner API whose shape {@code answer} has, if any. */
    static Optional<String> classify(Rules.MinerApis apis, String answer) {
        for (Rules.ApiAnswer a : apis.answers()) {
            if (a.allOf().stream().allMatch(p -> p.matcher(answer).find())) return Optional.of(a.kind());
        }
        return Optional.empty();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1); // every byte maps: a binary answer cannot fail decoding
    }
}
