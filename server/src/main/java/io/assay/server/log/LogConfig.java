package io.assay.server.log;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.log.NoteVerifierKey;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The transparency log's settings.
 *
 * @param keyFile the log key file (Go note signer key, mode 0600), created at first start; empty:
 *     next to a SQLite database ({@code <db>.log-key}), or {@code assay-log.key} in the working
 *     directory for PostgreSQL. Collectors sharing one PostgreSQL database must share this file.
 * @param origin the log's name (checkpoint origin line) used when the key file is created;
 *     default {@code assay/<hostname>}
 * @param integrateInterval how often the sequencer integrates queued reports; default 1s, range 10ms..1h
 * @param checkpointInterval how often a new checkpoint is signed when the log grew; default 60s,
 *     range 1s..24h
 * @param witnesses witnesses the collector submits each new checkpoint to
 * @param sequencerEnabled false only for benchmarks (ingest with the log off): reports queue up
 */
public record LogConfig(Optional<Path> keyFile, Optional<String> origin, Duration integrateInterval,
        Duration checkpointInterval, List<Witness> witnesses, boolean sequencerEnabled) {

    /** A witness: its {@code add-checkpoint} submission prefix and its cosignature verifier key. */
    public record Witness(URI url, NoteVerifierKey key) {
        public Witness {
            requireNonNull(url, "url");
            requireNonNull(key, "key");
            if (key.type() != NoteVerifierKey.COSIGNATURE_V1) {
                throw new IllegalArgumentException("witness key " + key.name() + " must be a cosignature/v1 (type 0x04) key");
            }
        }

        /** Parses {@code URL=VKEY}, e.g. {@code http://w.example:8441=w.example/w1+1234abcd+BK...}. */
        public static Witness parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("witness \"" + text + "\" is not URL=VERIFIER-KEY");
            return new Witness(URI.create(text.substring(0, eq)), NoteVerifierKey.parse(text.substring(eq + 1)));
        }
    }

    public LogConfig {
        requireNonNull(keyFile, "keyFile");
        requireNonNull(origin, "origin");
        requireNonNull(integrateInterval, "integrateInterval");
        requireNonNull(checkpointInterval, "checkpointInterval");
        witnesses = List.copyOf(witnesses);
    }

    public static LogConfig defaults() {
        return new LogConfig(Optional.empty(), Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(60), List.of(),
                true);
    }

    public LogConfig withKeyFile(Path file) {
        return new LogConfig(Optional.of(file), origin, integrateInterval, checkpointInterval, witnesses, sequencerEnabled);
    }

    public LogConfig withOrigin(String name) {
        return new LogConfig(keyFile, Optional.of(name), integrateInterval, checkpointInterval, witnesses, sequencerEnabled);
    }

    public LogConfig withWitnesses(List<Witness> list) {
        return new LogConfig(keyFile, origin, integrateInterval, checkpointInterval, list, sequencerEnabled);
    }

    public LogConfig withIntervals(Duration integrate, Duration checkpoint) {
        return new LogConfig(keyFile, origin, integrate, checkpoint, witnesses, sequencerEnabled);
    }

    public LogConfig withSequencer(boolean enabled) {
        return new LogConfig(keyFile, origin, integrateInterval, checkpointInterval, witnesses, enabled);
    }

    /** What is wrong, one sentence each. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (integrateInterval.compareTo(Duration.ofMillis(10)) < 0 || integrateInterval.compareTo(Duration.ofHours(1)) > 0) {
            p.add("log.integrate-interval is " + integrateInterval + "; it must be between 10ms and 1h.");
        }
        if (checkpointInterval.compareTo(Duration.ofSeconds(1)) < 0 || checkpointInterval.compareTo(Duration.ofHours(24)) > 0) {
            p.add("log.checkpoint-interval is " + checkpointInterval + "; it must be between 1s and 24h.");
        }
        return p;
    }
}
