package io.assay.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One piece of evidence that a rule matched. Absent text fields are empty strings.
 *
 * @param ruleId the rule that matched, e.g. {@code sig.cmdline.stratum-url}
 * @param kind how strong the evidence is: signature hits decide {@link Verdict#MINING} alone
 * @param summary one human sentence: what was seen
 * @param pid the process it is about, or 0 for host-wide findings
 * @param matched the values that matched (wallets shown in part, never whole)
 * @param firstSeenMs when the agent first saw this finding, epoch milliseconds UTC
 * @param allowlisted the reason from the operator's allowlist entry that lowered it, or ""
 */
public record Finding(
        String ruleId,
        Kind kind,
        String summary,
        int pid,
        String processName,
        String exePath,
        String exeSha256,
        String user,
        List<String> matched,
        long firstSeenMs,
        String allowlisted) {

    /** Evidence classes, strongest first. */
    public enum Kind {
        /** Known-miner content, command line, wallet, pool connection, mining protocol. */
        SIGNATURE,
        /** Behaviour of one process (sustained load, huge pages, runs from /tmp, ...). */
        BEHAVIOUR,
        /** Host-wide state (hidden CPU, ld.so.preload, bulk huge pages). */
        HOST
    }

    public Finding {
        requireNonNull(ruleId, "ruleId");
        requireNonNull(kind, "kind");
        requireNonNull(summary, "summary");
        requireNonNull(processName, "processName");
        requireNonNull(exePath, "exePath");
        requireNonNull(exeSha256, "exeSha256");
        requireNonNull(user, "user");
        matched = List.copyOf(requireNonNull(matched, "matched"));
        requireNonNull(allowlisted, "allowlisted");
        if (ruleId.isBlank()) throw new IllegalArgumentException("ruleId must not be blank");
    }

    public boolean isAllowlisted() {
        return !allowlisted.isEmpty();
    }
}
