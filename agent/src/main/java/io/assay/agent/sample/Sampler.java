package io.assay.agent.sample;

/**
 * Reads one source of evidence. {@link #sample()} never throws: a failure becomes an
 * {@link Reading.Absent} with the reason, so one broken source degrades a report instead of
 * stopping the daemon. Confined to the sampling thread; implementations keep state between calls.
 */
public interface Sampler<T> {

    /** Short source name used in notes, e.g. {@code cpu}, {@code processes}. */
    String source();

    /** Reads the source once; may throw, {@link #sample()} turns that into an absent reading. */
    T read() throws Exception;

    default Reading<T> sample() {
        try {
            return Reading.present(source(), read());
        } catch (Exception | LinkageError e) {
            // LinkageError: OSHI reaches native code through JNA, which fails that way on odd hosts.
            String m = e.getMessage();
            return Reading.absent(source(), e.getClass().getSimpleName() + (m == null ? "" : ": " + m));
        }
    }
}
