package io.assay.agent.detect;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** Builds the miner-like test program (src/test/resources/miner/miner.c) with the host's gcc. */
final class TestMiner {
    private TestMiner() {}

    static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Compiles the miner into {@code dir}; {@code plain} leaves the miner strings out. Skips the test without gcc. */
    static Path compile(Path dir, boolean plain) throws IOException, InterruptedException {
        assumeTrue(gccAvailable(), "gcc is not installed: the miner-like test program cannot be built");
        Path src = dir.resolve("miner.c");
        if (!Files.exists(src)) {
            try (InputStream in = TestMiner.class.getResourceAsStream("/miner/miner.c")) {
                Files.write(src, in.readAllBytes());
            }
        }
        Path out = dir.resolve(plain ? "worker-plain" : "worker");
        var cmd = new java.util.ArrayList<>(java.util.List.of("gcc", "-O1", "-pthread", "-o", out.toString(), src.toString()));
        if (plain) cmd.add(1, "-DPLAIN");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("gcc failed: " + log);
        return out;
    }

    /** A checksum-valid Monero mainnet standard address with random keys. */
    static String moneroAddress() {
        byte[] body = new byte[65];
        new SecureRandom().nextBytes(body);
        body[0] = 18;
        byte[] sum = Wallets.keccak256(body);
        byte[] all = Arrays.copyOf(body, 69);
        System.arraycopy(sum, 0, all, 65, 4);
        return Wallets.moneroEncode(all);
    }

    /** Waits until the process prints "started" (its threads and pool login are up). */
    static void awaitStarted(Process p) throws IOException {
        InputStream in = p.getInputStream();
        StringBuilder sb = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !sb.toString().contains("started")) {
            int c = in.read();
            if (c < 0) throw new IOException("test miner exited early: " + sb);
            sb.append((char) c);
        }
    }
}
