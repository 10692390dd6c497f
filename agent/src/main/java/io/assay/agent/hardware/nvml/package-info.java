/**
 * NVIDIA GPUs through NVML, the driver's C library, called with JNA (which OSHI already brings).
 * Tests load a fake {@code libnvidia-ml.so.1} built from {@code src/test/resources/hardware/nvml/fake_nvml.c}
 * through the same code path, since no NVIDIA GPU is available to the build.
 */
package io.assay.agent.hardware.nvml;
