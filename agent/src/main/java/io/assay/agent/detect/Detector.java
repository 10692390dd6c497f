package io.assay.agent.detect;

import io.assay.protocol.Finding;
import java.time.Instant;
import java.util.List;

/**
 * Judges a host over one report window. The agent calls {@link #observe} on every sample tick
 * and {@link #closeWindow} when a window ends (or early, when {@code observe} returned a finding
 * that makes the window {@code MINING}: the fast path ships it at once).
 *
 * <p>Confined to the agent's sampling thread; implementations need not be thread-safe. A failing
 * evidence source must degrade the assessment (a note and {@code DEGRADED}), never throw.
 */
public interface Detector extends AutoCloseable {

    /**
     * Gathers evidence for this tick.
     *
     * @return findings first seen in this tick that alone make the window {@code MINING}
     *     (signature hits); empty when there are none
     */
    List<Finding> observe(Instant now);

    /** Ends the current window: its verdict, findings and notes. The next window starts empty. */
    Assessment closeWindow(Instant now);

    /** SHA-256 (hex) of the rules in force; goes into every report. */
    String rulesHash();

    /** SHA-256 (hex) of the operator's allowlist in force, or "" when there is none. */
    String allowlistHash();

    @Override
    default void close() {}
}
