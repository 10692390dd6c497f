package io.assay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A child started through {@link ChildProcesses} does not outlive its JVM, even one killed with SIGKILL. */
class ChildProcessesTest {

    @Test
    void aChildDiesWithItsJvmKilledBySigkill() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SpawnAndWait.class.getName()).redirectErrorStream(true).start();
        long childPid;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            childPid = Long.parseLong(out.readLine().trim());
            Optional<ProcessHandle> child = ProcessHandle.of(childPid);
            assertThat(child).as("the child runs").isPresent();
            assertThat(child.get().info().command()).as("its own program, not a wrapper").hasValueSatisfying(
                    c -> assertThat(c).endsWith("sleep"));
            assertThat(child.get().parent().map(ProcessHandle::pid)).contains(jvm.pid());
        } finally {
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            jvm.waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        boolean alive = ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false);
        if (alive) ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
        assertThat(alive).as("sleep %d outlived its JVM", childPid).isFalse();
    }

    /** Starts {@code sleep 600} through ChildProcesses from a short-lived thread, prints its pid, waits. */
    static final class SpawnAndWait {
        public static void main(String[] args) throws Exception {
            Process[] child = new Process[1];
            // From a thread that ends at once: the parent-death signal must not follow that thread.
            Thread t = new Thread(() -> {
                try {
                    child[0] = ChildProcesses.start(new ProcessBuilder("sleep", "600"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            t.start();
            t.join();
            Thread.sleep(300);
            System.out.println(child[0].pid());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }
}
