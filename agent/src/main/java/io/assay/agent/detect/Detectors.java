package io.assay.agent.detect;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds the agent's detector: built-in rules from the jar, local rules and allowlist from the config
 * directory. No clock is needed: every instant the judge uses comes with an observation.
 */
public final class Detectors {
    private Detectors() {}

    /**
     * The detector for this host ({@code /proc}, {@code /sys}, {@code /etc}). Reads
     * {@code local-rules.json} and {@code allowlist.json} from {@code configDir} when present; a broken
     * one is refused with file, line and reason in the window notes, and the built-in (or last good)
     * rules stay in force.
     */
    public static HostDetector load(Path configDir) {
        return load(configDir, HostDetector.Roots.system());
    }

    /** As {@link #load(Path)}, reading the host through other roots (tests, recorded hosts, containers). */
    public static HostDetector load(Path configDir, HostDetector.Roots roots) {
        return new HostDetector(roots, new RuleSource(Optional.of(configDir)));
    }

    /** Built-in rules only, no config directory (the one-shot scan without an installed agent). */
    public static HostDetector builtIn(HostDetector.Roots roots) {
        return new HostDetector(roots, new RuleSource(Optional.empty()));
    }
}
