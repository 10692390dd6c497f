package io.assay.agent.sample;

/** Host CPU load since the previous sample, in percent of all cores (0..100). */
public record CpuLoad(double percent) {
    public CpuLoad {
        if (!(percent >= 0 && percent <= 100.0001)) {
            throw new IllegalArgumentException("CPU load must be within 0..100, was " + percent);
        }
    }
}
