package io.assay.server.store;

/**
 * A page of a host's report index: rows whose window overlaps {@code [fromMs, toMs)}, with
 * {@code seq > afterSeq}, in seq order, at most {@code limit} of them.
 */
public record ReportQuery(long fromMs, long toMs, long afterSeq, int limit) {
    public ReportQuery {
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        if (afterSeq < 0) throw new IllegalArgumentException("afterSeq must be >= 0, was " + afterSeq);
    }
}
