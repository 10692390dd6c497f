package io.assay.server.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The miner-like program the agent's tests use (agent/src/test/resources/miner/miner.c), built with
 * the host's gcc, and a pool on loopback that accepts its logins and never answers.
 */
final class MinerKit {
    static final Path SOURCE = Path.of("../agent/src/test/resources/miner/miner.c").toAbsolutePath().normalize();

    private MinerKit() {}

    /** Compiles the miner to {@code dir/name}; {@code plain} leaves the miner strings out. Skips the test without gcc. */
    static Path compile(Path dir, String name, boolean plain) throws IOException, InterruptedException {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-pthread", "-o", out.toString(), SOURCE.toString()));
        if (plain) cmd.add(1, "-DPLAIN");
        Process gcc;
        try {
            gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: the miner-like program cannot be built");
            throw e;
        }
        String log = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) throw new IOException("gcc failed: " + log);
        return out;
    }

    /** A pool on 127.0.0.1 that reads whatever each miner sends until it goes away. */
    static ServerSocket startPool() throws IOException {
        ServerSocket pool = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!pool.isClosed()) {
                try {
                    Socket s = pool.accept();
                    Thread reader = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        } catch (IOException ignored) {
                            // the miner was killed
                        }
                    }, "fake-pool-conn");
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "fake-pool");
        acceptor.setDaemon(true);
        acceptor.start();
        return pool;
    }
}
