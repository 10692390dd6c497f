package io.assay.agent.hardware;

/**
 * The figures a GPU source may report for one device, each with its unit in the name. A source
 * that cannot read one says why ({@link Gpu#missing()}) instead of reporting zero.
 */
public enum GpuMetric {
    GPU_UTIL_PERCENT("gpuUtilPercent"),
    MEM_UTIL_PERCENT("memUtilPercent"),
    MEM_USED_BYTES("memUsedBytes"),
    MEM_TOTAL_BYTES("memTotalBytes"),
    POWER_MILLIWATTS("powerMilliwatts"),
    /** A counter since the driver loaded (NVML, Volta and later): windows take differences. */
    ENERGY_MILLIJOULES("energyMillijoules"),
    SM_CLOCK_MHZ("smClockMhz"),
    MEM_CLOCK_MHZ("memClockMhz"),
    TEMPERATURE_CELSIUS("temperatureCelsius"),
    ENCODER_UTIL_PERCENT("encoderUtilPercent"),
    DECODER_UTIL_PERCENT("decoderUtilPercent");

    private final String wireName;

    GpuMetric(String wireName) {
        this.wireName = wireName;
    }

    /** The key used for this metric in reports and {@code scan --json}. */
    public String wireName() {
        return wireName;
    }
}
