package io.assay.agent.detect;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Builds the agent's detector: built-in rules from the jar, local rules and allowlist from the config directory. */
public final class Detectors {
    private Detectors() {}

    /**
     * The detector for this host ({@code /proc}, {@code /sys}, {@code /etc}). Reads
     * {@code local-rules.json} and {@code allowlist.json} from {@code configDir} when present; a broken
     * one is refused with file, line and reason in the window notes, and the built-in (or last good)
     * rules stay in force.
     */
    public static Detector load(Path configDir, Clock clock) {
        return load(configDir, clock, HostDetector.Roots.system());
    }

    /** As {@link #load(Path, Clock)}, reading the host through other roots (tests, recorded hosts, containers). */
    public static HostDetector load(Path configDir, Clock clock, HostDetector.Roots roots) {
        return new HostDetector(roots, clock, new RuleSource(Optional.of(configDir)));
    }

    /** Built-in rules only, no config directory (the one-shot scan without an installed agent). */
    public static HostDetector builtIn(Clock clock, HostDetector.Roots roots) {
        return new HostDetector(roots, clock, new RuleSource(Optional.empty()));
    }
}
