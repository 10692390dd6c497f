package io.assay.agent.sample;

import static java.util.Objects.requireNonNull;

/**
 * A sampler's result: a value, or why there is none. A missing reading is never a zero: the
 * report says it is absent and why.
 */
public sealed interface Reading<T> {

    /** The source that was read, e.g. {@code cpu}. */
    String source();

    record Present<T>(String source, T value) implements Reading<T> {
        public Present {
            requireNonNull(source, "source");
            requireNonNull(value, "value");
        }
    }

    record Absent<T>(String source, String reason) implements Reading<T> {
        public Absent {
            requireNonNull(source, "source");
            requireNonNull(reason, "reason");
        }
    }

    static <T> Reading<T> present(String source, T value) {
        return new Present<>(source, value);
    }

    static <T> Reading<T> absent(String source, String reason) {
        return new Absent<>(source, reason);
    }
}
