package io.assay.agent.evidence;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * The processes the detector read from {@code /proc} on one tick, shared with the report's process
 * sampler so that a tick lists every process once.
 *
 * @param at the tick's instant
 * @param bootTimeSeconds {@code btime} of {@code /proc/stat} (epoch seconds), 0 when unknown
 * @param processes the processes of the {@code /proc} listing; empty when it could not be listed
 */
public record ProcessListing(Instant at, long bootTimeSeconds, List<ProcessSnapshot> processes) {
    public static final ProcessListing NONE = new ProcessListing(Instant.EPOCH, 0, List.of());

    public ProcessListing {
        requireNonNull(at, "at");
        processes = List.copyOf(processes);
    }
}
