package io.assay.agent.hardware.nvml;

/** NVML's return codes by name, for the "absent: why" lines (numbers from {@code nvml.h}). */
final class NvmlReturn {
    static final int SUCCESS = 0;
    static final int NOT_SUPPORTED = 3;
    static final int NOT_FOUND = 6;
    static final int INSUFFICIENT_SIZE = 7;
    static final int FUNCTION_NOT_FOUND = 13;

    private static final String[] NAMES = {"SUCCESS", "UNINITIALIZED", "INVALID_ARGUMENT", "NOT_SUPPORTED",
        "NO_PERMISSION", "ALREADY_INITIALIZED", "NOT_FOUND", "INSUFFICIENT_SIZE", "INSUFFICIENT_POWER",
        "DRIVER_NOT_LOADED", "TIMEOUT", "IRQ_ISSUE", "LIBRARY_NOT_FOUND", "FUNCTION_NOT_FOUND", "CORRUPTED_INFOROM",
        "GPU_IS_LOST", "RESET_REQUIRED", "OPERATING_SYSTEM", "LIB_RM_VERSION_MISMATCH", "IN_USE", "MEMORY", "NO_DATA",
        "VGPU_ECC_NOT_ENABLED", "INSUFFICIENT_RESOURCES", "FREQ_NOT_SUPPORTED", "ARGUMENT_VERSION_MISMATCH",
        "DEPRECATED", "NOT_READY", "GPU_NOT_FOUND", "INVALID_STATE"};

    private NvmlReturn() {}

    static String name(int code) {
        if (code >= 0 && code < NAMES.length) return NAMES[code];
        return code == 999 ? "UNKNOWN" : "error " + code;
    }
}
