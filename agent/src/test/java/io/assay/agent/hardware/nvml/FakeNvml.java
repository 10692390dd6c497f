package io.assay.agent.hardware.nvml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fake {@code libnvidia-ml.so.1}, compiled with gcc from {@code hardware/nvml/fake_nvml.c}, in a
 * directory of its own with the {@code scenario.txt} it answers from, plus a sysfs root that shows
 * the NVIDIA kernel module. The agent loads it exactly as it loads the real library.
 */
public final class FakeNvml {
    public final Path library;
    public final Path sysRoot;

    private FakeNvml(Path library, Path sysRoot) {
        this.library = library;
        this.sysRoot = sysRoot;
    }

    /** Builds the library in {@code dir} (each test its own: a loaded library stays loaded in the JVM). */
    public static FakeNvml build(Path dir, String scenario) throws IOException, InterruptedException {
        Path src = Files.createDirectories(dir).resolve("fake_nvml.c");
        try (InputStream in = FakeNvml.class.getResourceAsStream("/hardware/nvml/fake_nvml.c")) {
            Files.copy(in, src);
        }
        Path lib = dir.resolve("lib/libnvidia-ml.so.1");
        Files.createDirectories(lib.getParent());
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-pipe", "-o", lib.toString(), src.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) throw new IOException("gcc failed: " + out);
        Path sys = dir.resolve("sys");
        Files.createDirectories(sys.resolve("module/nvidia"));
        FakeNvml f = new FakeNvml(lib, sys);
        f.scenario(scenario);
        return f;
    }

    /** What the fake driver says from its next {@code nvmlDeviceGetCount_v2} on. */
    public void scenario(String text) throws IOException {
        Files.writeString(library.resolveSibling("scenario.txt"), text);
    }
}
