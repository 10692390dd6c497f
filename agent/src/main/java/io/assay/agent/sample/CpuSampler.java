package io.assay.agent.sample;

import oshi.hardware.CentralProcessor;

/** Host CPU load between this sample's ticks and the previous one's (OSHI). */
public final class CpuSampler implements Sampler<CpuLoad> {
    private final CentralProcessor processor;
    private long[] previousTicks;

    public CpuSampler(CentralProcessor processor) {
        this.processor = processor;
        this.previousTicks = processor.getSystemCpuLoadTicks();
    }

    @Override
    public String source() {
        return "cpu";
    }

    @Override
    public CpuLoad read() {
        long[] ticks = processor.getSystemCpuLoadTicks();
        double load = processor.getSystemCpuLoadBetweenTicks(previousTicks);
        previousTicks = ticks;
        if (Double.isNaN(load) || load < 0) {
            throw new IllegalStateException("OSHI returned no CPU load (ticks unavailable)");
        }
        return new CpuLoad(Math.min(100.0, load * 100.0));
    }
}
