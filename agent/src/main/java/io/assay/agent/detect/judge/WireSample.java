package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

import io.assay.agent.evidence.ProcessSnapshot;
import java.util.List;

/**
 * A passive sample of one TCP connection of a process in question, so far.
 *
 * @param remote the other end, {@code address:port}
 * @param linesToRemote complete JSON-looking lines the process sent (the first few, each cut short):
 *     for recognising the protocol only, never copied into a report
 * @param linesFromRemote the same, received
 * @param encrypted the payload starts like TLS records, so its content cannot be read
 * @param seconds how long the connection has been sampled
 * @param finished the sample is complete (its time or byte bound was reached)
 */
public record WireSample(ProcessSnapshot.Key process, String remote, int remotePort, long bytesToRemote, long bytesFromRemote,
        int packetsToRemote, int packetsFromRemote, List<String> linesToRemote, List<String> linesFromRemote, boolean encrypted,
        double seconds, boolean finished) {
    public WireSample {
        requireNonNull(process, "process");
        requireNonNull(remote, "remote");
        linesToRemote = List.copyOf(linesToRemote);
        linesFromRemote = List.copyOf(linesFromRemote);
    }
}
