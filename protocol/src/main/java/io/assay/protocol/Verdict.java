package io.assay.protocol;

/** The agent's judgement of one report window. */
public enum Verdict {
    /** Everything that must be seen was seen, and nothing points at mining. */
    CLEAN,
    /** Behaviour alone points at mining (one behavioural finding). */
    SUSPECT,
    /** A signature hit, or several independent behaviours on one process. */
    MINING,
    /** The agent could not see what it must; the report's notes say why. */
    DEGRADED
}
