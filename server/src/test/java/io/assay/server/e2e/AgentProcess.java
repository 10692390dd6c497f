package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real agent, run as its own process from the shaded jar the build made, with the JVM flags the
 * installer ships. Tests talk to it only through its command line, its state directory and the
 * collector, as an operator would.
 */
final class AgentProcess implements AutoCloseable {
    static final Path JAR = Path.of("../agent/target/assay-agent.jar").toAbsolutePath().normalize();
    static final Path JVM_OPTIONS = Path.of("../installer/src/main/dist/jvm.options").toAbsolutePath().normalize();

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Runs an agent command to its end and returns its exit code and output. */
    static Result runToEnd(Path workDir, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "agent-cmd", ".log");
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("agent " + List.of(args) + " did not finish in 60 s:\n" + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    /** Starts {@code assay-agent run ...} in the background; its output goes to {@code log}. */
    static AgentProcess start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("run"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(command(cmd.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new AgentProcess(p, log);
    }

    /** As {@link #start}, run through {@code wrapper} (e.g. {@code unshare --user}), which execs the agent's JVM. */
    static AgentProcess startWrapped(Path log, List<String> wrapper, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        List<String> run = new ArrayList<>(List.of("run"));
        run.addAll(List.of(args));
        cmd.addAll(command(run.toArray(String[]::new)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AgentProcess(p, log);
    }

    /** {@code assay-agent enroll} with an enrollment token; returns the host id the collector gave. */
    static String enroll(Path workDir, java.net.URI server, String token, Path stateDir)
            throws IOException, InterruptedException {
        Result r = runToEnd(workDir, "enroll", "--server", server.toString(), "--token", token, "--state-dir",
                stateDir.toString());
        if (r.exit() != 0) throw new AssertionError("enroll exited " + r.exit() + ":\n" + r.output());
        return status(workDir, stateDir).get("hostId").getAsString();
    }

    /** {@code assay-agent status --json} of a state directory. */
    static JsonObject status(Path workDir, Path stateDir) throws IOException, InterruptedException {
        Result r = runToEnd(workDir, "status", "--state-dir", stateDir.toString(), "--json");
        assertThat(r.exit()).as(r.output()).isZero();
        String json = r.output().substring(r.output().indexOf('{'));
        return JsonParser.parseString(json).getAsJsonObject();
    }

    private static List<String> command(String... args) throws IOException {
        assertThat(JAR).as("the agent jar (built by `mvn package` before the server's tests)").isRegularFile();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String line : Files.readAllLines(JVM_OPTIONS)) {
            if (!line.isBlank() && !line.startsWith("#")) cmd.add(line.trim());
        }
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL (kill -9), then waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("agent did not die of SIGKILL within 20 s");
    }

    /** SIGTERM, then waits; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("agent did not stop within 20 s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    record Result(int exit, String output) {}
}
