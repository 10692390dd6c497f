package io.assay.agent.detect;

import io.assay.protocol.Finding;
import java.time.Instant;
import java.util.List;
import java.util.Set;

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

    /**
     * Looks at processes that exec'd a moment ago, between ticks (the exec events' look): the same
     * sources and judge as {@link #observe}, for these processes only. Never called concurrently
     * with {@link #observe} or {@link #closeWindow}.
     *
     * @param pids process ids (thread-group ids); those gone by now are skipped
     * @return findings first seen now that alone make the window {@code MINING}; empty when there
     *     are none, and always from a detector that does not look between ticks
     */
    default List<Finding> observeNew(Instant now, Set<Integer> pids) {
        return List.of();
    }

    /** Ends the current window: its verdict, findings and notes. The next window starts empty. */
    Assessment closeWindow(Instant now);

    /** SHA-256 (hex) of the rules in force; goes into every report. */
    String rulesHash();

    /** SHA-256 (hex) of the operator's allowlist in force, or "" when there is none. */
    String allowlistHash();

    @Override
    default void close() {}
}
