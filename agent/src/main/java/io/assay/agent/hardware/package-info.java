/**
 * Hardware mining runs on, and the energy it draws: the values every hardware source returns
 * ({@link io.assay.agent.hardware.Gpu}, {@link io.assay.agent.hardware.GpuProcessUse}, ...), one
 * sub-package per source ({@code nvml}, {@code nvidiasmi}, {@code amd}, {@code usb}, {@code rapl},
 * {@code cgminer}). Each source does its own I/O against injectable roots (sysfs, a library path, a
 * port) and an injected clock, never throws, and says "absent, because …" where the host lacks the
 * hardware, the driver or the permission.
 */
package io.assay.agent.hardware;
