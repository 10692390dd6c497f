package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

import io.assay.agent.evidence.ProcessSnapshot;
import java.time.Instant;
import java.util.List;

/**
 * What the sources saw when they looked closer at the processes in question on one tick (those
 * {@link Judge#inQuestion} named): reads that cost too much, or intrude too far, to make of every
 * process.
 *
 * @param apiAnswers listening sockets that answered as a miner's API
 * @param wire samples of their TCP connections, so far
 * @param memory scans of their anonymous and heap memory
 * @param notes what could not be looked at, and why
 */
public record CloserLook(Instant at, List<ApiAnswer> apiAnswers, List<WireSample> wire, List<MemoryScan> memory,
        List<SourceNote> notes) {
    public static CloserLook none(Instant at) {
        return new CloserLook(at, List.of(), List.of(), List.of(), List.of());
    }

    public CloserLook {
        requireNonNull(at, "at");
        apiAnswers = List.copyOf(apiAnswers);
        wire = List.copyOf(wire);
        memory = List.copyOf(memory);
        notes = List.copyOf(notes);
    }

    /**
     * A listening socket of {@code process} that answered like a miner's API.
     *
     * @param at where it was asked ({@code 127.0.0.1:PORT} or {@code [::1]:PORT})
     * @param kind the API shape recognised ({@code xmrig}, {@code cgminer}…)
     * @param requestId the rules' request that got the answer
     */
    public record ApiAnswer(ProcessSnapshot.Key process, String at, String kind, String requestId) {
        public ApiAnswer {
            requireNonNull(process, "process");
            requireNonNull(at, "at");
            requireNonNull(kind, "kind");
            requireNonNull(requestId, "requestId");
        }
    }
}
