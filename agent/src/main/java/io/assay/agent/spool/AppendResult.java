package io.assay.agent.spool;

import java.util.List;

/**
 * What {@link Spool#append} did.
 *
 * @param writtenSeqs seqs written, in order: the report's, preceded by a gap report's when shed
 *     windows were recorded first; empty when the report was shed
 * @param shed true when the spool was full and the report was not written (only counted)
 */
public record AppendResult(List<Long> writtenSeqs, boolean shed) {
    public AppendResult {
        writtenSeqs = List.copyOf(writtenSeqs);
    }
}
