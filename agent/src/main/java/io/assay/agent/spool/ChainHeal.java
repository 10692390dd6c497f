package io.assay.agent.spool;

/** What {@link Spool#healChain} did about a collector's chain refusal. */
public enum ChainHeal {
    /** Nothing: the refusal carried no chain end (an older collector), or nothing is pending. */
    NONE,
    /** The collector lost reports this spool still holds (a restored backup): they are queued again. */
    RESENT,
    /** The collector lost reports this spool no longer holds: a signed gap, then the chain continues from the collector's end. */
    GAP,
    /** This agent's chain diverged from the collector's (its state was rolled back): a new epoch from the collector's end. */
    EPOCH
}
