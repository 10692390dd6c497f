package io.assay.server.report;

import io.assay.server.coverage.HostCoverage;
import io.assay.server.store.Store;
import java.util.Optional;

/** {@link CoverageSource} over the one coverage computation ({@link HostCoverage}). */
public final class StoreCoverage implements CoverageSource {
    private final Store store;

    public StoreCoverage(Store store) {
        this.store = store;
    }

    @Override
    public Optional<Period> coverage(String hostId, long fromMs, long toMs) {
        return HostCoverage.of(store, hostId, fromMs, toMs).map(c -> new Period(c.coveredMs(), c.msByVerdict()));
    }
}
