package io.assay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts the long-running programs tests spawn (miners, busy loads, sleepers) so that they die with
 * the test JVM, even when it is killed with SIGKILL (a surefire timeout, an OOM kill, a cancelled
 * build): a leaked {@code sha256sum /dev/zero} otherwise spins on a shared machine for hours.
 *
 * <p>The child runs under {@code setpriv --pdeathsig KILL}, which sets the kernel's parent-death
 * signal and then execs the program, so its pid, {@code /proc/PID/exe} and command line are the
 * program's own. The kernel sends that signal when the <em>thread</em> that forked the child ends,
 * not the process: children are therefore started from one thread that lives as long as the JVM.
 * A shutdown hook also kills every descendant on an orderly exit. Grandchildren (a shell
 * pipeline's members) do not inherit the signal: make the busy program the direct child.
 * Without {@code setpriv} (util-linux) only the shutdown hook applies.
 */
public final class ChildProcesses {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-child-spawner");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly), "test-child-reaper"));
    }

    private ChildProcesses() {}

    /** Starts {@code pb} so that the child dies with this JVM (its command is restored afterwards). */
    public static Process start(ProcessBuilder pb) throws IOException {
        List<String> command = List.copyOf(pb.command());
        if (Files.isExecutable(SETPRIV)) {
            List<String> wrapped = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
            wrapped.addAll(command);
            pb.command(wrapped);
        }
        try {
            Future<Process> started = SPAWNER.submit(pb::start);
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new UncheckedIOException(new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + command, e);
        } finally {
            pb.command(command);
        }
    }
}
