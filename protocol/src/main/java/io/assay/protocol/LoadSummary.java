package io.assay.protocol;

/**
 * Host CPU load over a report window, in percent of all cores (0..100).
 *
 * @param samples how many samples the figures are made of; 0 means no sample succeeded
 */
public record LoadSummary(double cpuAvgPercent, double cpuMaxPercent, int samples) {
    public LoadSummary {
        if (samples < 0) throw new IllegalArgumentException("samples must be >= 0, was " + samples);
        checkPercent("cpuAvgPercent", cpuAvgPercent);
        checkPercent("cpuMaxPercent", cpuMaxPercent);
    }

    public static final LoadSummary NONE = new LoadSummary(0, 0, 0);

    private static void checkPercent(String name, double v) {
        if (!(v >= 0 && v <= 100.0001)) {
            throw new IllegalArgumentException(name + " must be within 0..100, was " + v);
        }
    }
}
