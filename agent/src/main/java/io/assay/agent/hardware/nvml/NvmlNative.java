package io.assay.agent.hardware.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of NVML's C API the agent calls, mapped by JNA. Every function returns an
 * {@code nvmlReturn_t} (see {@link NvmlReturn}). Structures are passed as raw memory with the
 * offsets written in {@link NvmlSource}: fewer classes loaded than JNA {@code Structure}s, and the
 * layouts are fixed by NVML's ABI (the {@code _v2}/{@code _v3} suffixes exist so they never change).
 * A function an older driver lacks throws {@link UnsatisfiedLinkError} when called.
 */
interface NvmlNative extends Library {
    int nvmlInit_v2();

    int nvmlShutdown();

    int nvmlSystemGetDriverVersion(byte[] version, int length);

    int nvmlDeviceGetCount_v2(IntByReference count);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    /** {@code nvmlPciInfo_t}: busIdLegacy[16], domain, bus, device, pciDeviceId, pciSubSystemId, busId[32]. */
    int nvmlDeviceGetPciInfo_v3(Pointer device, Pointer pci);

    /** {@code nvmlUtilization_t}: unsigned gpu, memory (percent over the driver's last sample period). */
    int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

    /** {@code nvmlMemory_t}: unsigned long long total, free, used (bytes). */
    int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference millijoules);

    int nvmlDeviceGetClockInfo(Pointer device, int clockType, IntByReference mhz);

    int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference celsius);

    int nvmlDeviceGetEncoderUtilization(Pointer device, IntByReference percent, IntByReference samplingPeriodUs);

    int nvmlDeviceGetDecoderUtilization(Pointer device, IntByReference percent, IntByReference samplingPeriodUs);

    /** {@code nvmlProcessInfo_t} (v2 layout, 24 bytes): unsigned pid, ull usedGpuMemory, unsigned gpuInstanceId, computeInstanceId. */
    int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference count, Pointer infos);

    int nvmlDeviceGetGraphicsRunningProcesses_v3(Pointer device, IntByReference count, Pointer infos);

    /** {@code nvmlProcessUtilizationSample_t} (32 bytes): unsigned pid, ull timeStamp (µs), unsigned sm, mem, enc, dec. */
    int nvmlDeviceGetProcessUtilization(Pointer device, Pointer samples, IntByReference count, long lastSeenTimeStampUs);
}
