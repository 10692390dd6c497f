package io.assay.server;

import io.assay.testing.ManualClock;
import java.time.Instant;

/** A clock tests move by hand: the shared {@link ManualClock} under the name this module's tests use. */
public final class FakeClock extends ManualClock {
    public FakeClock(Instant start) {
        super(start);
    }
}
