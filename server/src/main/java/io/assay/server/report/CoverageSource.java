package io.assay.server.report;

import io.assay.protocol.Verdict;
import java.util.Map;
import java.util.Optional;

/**
 * The coverage a report needs from the one coverage computation ({@code io.assay.server.coverage}):
 * a narrow seam so the report does not depend on that computation's full shape.
 */
@FunctionalInterface
public interface CoverageSource {

    /**
     * @param coveredMs time inside the period covered by valid reports
     * @param msByVerdict covered time by the verdict of the covering reports (sums to coveredMs)
     */
    record Period(long coveredMs, Map<Verdict, Long> msByVerdict) {
        public Period {
            msByVerdict = Map.copyOf(msByVerdict);
        }
    }

    /** Coverage of a host over {@code [fromMs, toMs)}; empty when no such host is enrolled. */
    Optional<Period> coverage(String hostId, long fromMs, long toMs);
}
