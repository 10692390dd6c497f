/** NVIDIA GPUs through the {@code nvidia-smi} command: the fallback where NVML cannot be loaded. */
package io.assay.agent.hardware.nvidiasmi;
