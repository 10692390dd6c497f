package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.cgminer.MinerApiAnswer;
import io.assay.agent.hardware.usb.UsbDevice;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the hardware sources read on one tick: GPUs and the processes using them (with the
 * GPU-relevant libraries each has loaded), cgminer-style APIs that answered on loopback, USB
 * miner devices, and what could not be read.
 *
 * @param libraries per pid using a GPU: base names of the files it maps and of its executable
 * @param minerApis APIs that answered, with the port asked (its owner is found among the tick's listening sockets)
 */
public record HardwareTick(Instant at, List<Gpu> gpus, List<GpuProcessUse> gpuProcesses, Map<Integer, List<String>> libraries,
        List<MinerApi> minerApis, List<UsbDevice> usb, List<SourceNote> notes) {
    public HardwareTick {
        requireNonNull(at, "at");
        gpus = List.copyOf(gpus);
        gpuProcesses = List.copyOf(gpuProcesses);
        libraries = Map.copyOf(libraries);
        minerApis = List.copyOf(minerApis);
        usb = List.copyOf(usb);
        notes = List.copyOf(notes);
    }

    public static HardwareTick none(Instant at) {
        return new HardwareTick(at, List.of(), List.of(), Map.of(), List.of(), List.of(), List.of());
    }

    /** A miner API that answered on loopback {@code port}. */
    public record MinerApi(int port, MinerApiAnswer answer) {
        public MinerApi {
            requireNonNull(answer, "answer");
        }
    }
}
