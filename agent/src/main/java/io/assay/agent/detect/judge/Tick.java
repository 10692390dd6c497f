package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

import io.assay.agent.evidence.HostProbe;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the sources read on one sample tick, immutable: every process (including ones found hidden
 * from the listing), their TCP connections, host state, the executables whose scan finished on
 * this tick, candidate miner configuration files, and what could not be read.
 *
 * @param processes every process read on this tick
 * @param connections TCP connections by owning pid
 * @param exeScans executables whose scan finished on this tick (each process's exe is reported once)
 * @param configs candidate configuration files that exist as regular files, with their text (bounded)
 * @param notes what the sources could not read on this tick
 */
public record Tick(Instant at, HostProbe.HostState host, List<ProcessSnapshot> processes,
        Map<Integer, List<ProcParsers.TcpConnection>> connections, List<ExeScan> exeScans, List<ConfigFile> configs,
        List<SourceNote> notes) {
    public Tick {
        requireNonNull(at, "at");
        requireNonNull(host, "host");
        processes = List.copyOf(processes);
        connections = Map.copyOf(connections);
        exeScans = List.copyOf(exeScans);
        configs = List.copyOf(configs);
        notes = List.copyOf(notes);
    }

    /**
     * One executable's scan: which of the rules' binary strings and packer markers it contains.
     *
     * @param found the texts of the patterns seen (binary strings and packer markers of the rules the scan ran with)
     */
    public record ExeScan(ProcessSnapshot.Key process, String sha256, Set<String> found) {
        public ExeScan {
            requireNonNull(process, "process");
            requireNonNull(sha256, "sha256");
            found = Set.copyOf(found);
        }
    }

    /**
     * A configuration file a process opened, named with {@code -c}, or that lies in its working
     * directory under a well-known miner config name.
     *
     * @param stamp identifies this version of the file (path, size, mtime): verdicts are cached by it
     * @param text the first {@code configMaxBytes} of the file, UTF-8
     * @param opened whether the process has it open
     */
    public record ConfigFile(ProcessSnapshot.Key process, String path, String stamp, String text, boolean opened) {
        public ConfigFile {
            requireNonNull(process, "process");
            requireNonNull(path, "path");
            requireNonNull(stamp, "stamp");
            requireNonNull(text, "text");
        }
    }
}
