package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

/**
 * Something a source could not read or chose not to read, said in the report's notes.
 *
 * @param text the note, naming what was not seen, why, and what to do
 * @param degrades whether the window is {@code DEGRADED} because of it (the agent missed what it must see);
 *     false for a source the operator switched off or one that is not needed on this host
 */
public record SourceNote(String text, boolean degrades) {
    public SourceNote {
        requireNonNull(text, "text");
    }

    public static SourceNote degrading(String text) {
        return new SourceNote(text, true);
    }

    public static SourceNote informational(String text) {
        return new SourceNote(text, false);
    }
}
