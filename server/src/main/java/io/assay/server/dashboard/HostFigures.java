package io.assay.server.dashboard;

import io.assay.protocol.Hardware;
import io.assay.protocol.Report;
import java.util.OptionalDouble;

/**
 * The figures the host page charts, read from one report; each is empty when the report does not
 * state it (an agent without a GPU, without RAPL, or older than the hardware section), so the
 * chart can say "not reported" instead of showing zero. Pure.
 */
final class HostFigures {
    /** The figure of {@link Hardware.Gpu#avg()} the GPU chart shows. */
    static final String GPU_UTIL = "gpuUtilPercent";

    private HostFigures() {}

    /** Average CPU load of all cores over the window, percent; empty when no sample succeeded. */
    static OptionalDouble cpuPercent(Report r) {
        return r.load().samples() > 0 ? OptionalDouble.of(r.load().cpuAvgPercent()) : OptionalDouble.empty();
    }

    /**
     * The busiest GPU's average utilisation over the window, percent: one GPU mining at full load
     * beside idle ones must not be averaged away.
     */
    static OptionalDouble gpuPercent(Report r) {
        OptionalDouble best = OptionalDouble.empty();
        for (Hardware.Gpu g : r.hardware().gpus()) {
            Double v = g.avg().get(GPU_UTIL);
            if (v != null && (best.isEmpty() || v > best.getAsDouble())) best = OptionalDouble.of(v);
        }
        return best;
    }

    /**
     * Average power over the window, watts: the joules of every energy source the report states
     * (summed as the compliance report sums them) over the window's length.
     */
    static OptionalDouble watts(Report r) {
        if (r.hardware().energy().isEmpty()) return OptionalDouble.empty();
        long ms = r.windowEndMs() - r.windowStartMs();
        if (ms <= 0) return OptionalDouble.empty();
        double joules = 0;
        for (Hardware.Energy e : r.hardware().energy()) joules += e.joules();
        return OptionalDouble.of(joules / (ms / 1000.0));
    }
}
