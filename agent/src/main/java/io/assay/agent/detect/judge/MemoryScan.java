package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

import io.assay.agent.evidence.ProcessSnapshot;
import java.util.List;
import java.util.Set;

/**
 * A scan of the anonymous and heap memory of a process in question.
 *
 * @param found the texts of the patterns seen (binary strings and stratum memory strings)
 * @param walletCandidates address-shaped strings, checksums not yet checked: the judge checks them and
 *     reports only a short excerpt of a valid one
 * @param complete every anonymous mapping was read within the budget
 */
public record MemoryScan(ProcessSnapshot.Key process, Set<String> found, List<String> walletCandidates, long bytesRead,
        boolean complete) {
    public MemoryScan {
        requireNonNull(process, "process");
        found = Set.copyOf(found);
        walletCandidates = List.copyOf(walletCandidates);
    }
}
