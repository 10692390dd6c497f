package io.assay.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.protocol.Ed25519Signer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class AgentMainTest {
    @TempDir
    Path tmp;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream savedOut;

    @BeforeEach
    void captureStdout() {
        savedOut = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(savedOut);
    }

    int run(String... args) {
        CommandLine cl = AgentMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "enroll", "run", "status"})
    void helpExitsZero(String command) {
        int code = command.isEmpty() ? run("--help") : run(command, "--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage:").contains(command.isEmpty() ? "assay-agent" : command);
    }

    @Test
    void versionExitsZero() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("assay-agent ");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("enroll", "--server", "http://x")).as("missing --token").isEqualTo(ExitCodes.USAGE);
        assertThat(run("frobnicate")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("enroll", "--server", "http://x", "--token", "t", "--token-file", "f")).as("both token sources")
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("enroll", "--server", "http://x", "--token-file", tmp.resolve("missing").toString(),
                "--state-dir", tmp.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Cannot read the token file");
        assertThat(run()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void statusOfAnUnenrolledHostExitsThree() {
        assertThat(run("status", "--state-dir", tmp.toString())).isEqualTo(ExitCodes.NOT_ENROLLED);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("not enrolled");
        stdout.reset();
        assertThat(run("status", "--state-dir", tmp.toString(), "--json")).isEqualTo(ExitCodes.NOT_ENROLLED);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("\"enrolled\": false");
    }

    @Test
    void statusOfAnEnrolledHost() {
        StateDir state = new StateDir(tmp);
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment("host-9", "https://c.example", "secret-token", key.publicKey().keyId()));
        assertThat(run("status", "--state-dir", tmp.toString(), "--json")).isZero();
        String json = stdout.toString(StandardCharsets.UTF_8);
        assertThat(json).contains("\"hostId\": \"host-9\"").contains("\"spoolDepth\": 0").doesNotContain("secret-token");
    }

    @Test
    void statusTextShowsTheSpool() {
        StateDir state = new StateDir(tmp);
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment("host-9", "https://c.example", "secret-token", key.publicKey().keyId()));
        try (var spool = io.assay.agent.spool.Spool.open(state.spoolFile(), java.time.Clock.systemUTC(), 10)) {
            spool.recordStart();
            spool.recordStart();
            spool.append(new io.assay.agent.report.ReportDraft(0, 1000, "t", 1, "a".repeat(64), "",
                    io.assay.protocol.LoadSummary.NONE, java.util.List.of(), java.util.List.of(),
                    io.assay.protocol.Verdict.CLEAN, java.util.List.of()), "host-9", key);
            spool.recordError("network: java.net.ConnectException: refused");
        }
        assertThat(run("status", "--state-dir", tmp.toString())).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8))
                .contains("host host-9")
                .contains("last report:   seq 1 at ")
                .contains("CLEAN")
                .contains("spool depth:   1 unacknowledged")
                .contains("last ack:      none yet")
                .contains("problem now:   network: java.net.ConnectException: refused (since ")
                .contains("restarts:      1");

        // The collector acknowledges later: the old error is history, not the current problem.
        try (var spool = io.assay.agent.spool.Spool.open(state.spoolFile(), java.time.Clock.offset(
                java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(1)), 10)) {
            var first = spool.pending(1).get(0);
            spool.markAcked(java.util.Map.of(first.seq(), first.payloadHash()));
        }
        stdout.reset();
        assertThat(run("status", "--state-dir", tmp.toString())).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8))
                .contains("problem now:   none")
                .contains("last error:    network: java.net.ConnectException: refused at ")
                .contains("(healed since)");
    }

    @Test
    void runWithABadConfigExitsTwoWithEveryProblemAndNoStackTrace() throws Exception {
        Path conf = tmp.resolve("agent.conf");
        java.nio.file.Files.writeString(conf, "sample.interval = 0s\nbogus.key = 1\n");
        assertThat(run("run", "--config", conf.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(conf + ":1").contains(conf + ":2").contains("bogus.key")
                .doesNotContain("\tat ");
    }

    @Test
    void runWhenNotEnrolledExitsThree() throws Exception {
        Path conf = tmp.resolve("agent.conf");
        java.nio.file.Files.writeString(conf, "state.dir = " + tmp.resolve("state") + "\n");
        assertThat(run("run", "--config", conf.toString())).isEqualTo(ExitCodes.NOT_ENROLLED);
        assertThat(err.toString()).contains("not enrolled").contains("assay-agent enroll").doesNotContain("\tat ");
    }

    @Test
    void enrollRefusesToOverwriteAnEnrollmentWithoutForce() {
        StateDir state = new StateDir(tmp);
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment("host-9", "https://c.example", "t", key.publicKey().keyId()));
        int code = run("enroll", "--server", "http://127.0.0.1:9", "--token", "tok", "--state-dir", tmp.toString());
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("already enrolled").contains("--force").doesNotContain("\tat ");
        assertThat(state.readHostKey().publicKey()).isEqualTo(key.publicKey());
    }

    @Test
    void enrollAgainstAnUnreachableCollectorFailsWithAdviceAndWritesNothing() throws Exception {
        int dead;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            dead = ss.getLocalPort();
        }
        Path dir = tmp.resolve("fresh");
        int code = run("enroll", "--server", "http://127.0.0.1:" + dead, "--token", "tok", "--state-dir", dir.toString(),
                "--timeout", "2");
        assertThat(code).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("Cannot reach the collector").doesNotContain("\tat ");
        assertThat(new StateDir(dir).isEnrolled()).isFalse();
        assertThat(dir.resolve("host.key")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "run --config /etc/assay/agent.conf --state-dir /var/lib/assay", // the systemd unit's
        "run --server=http://127.0.0.1:8440 --state-dir s --sample-interval 1s --report-window 10s",
        "run",
    })
    void theDaemonReadsItsFlagsWithoutPicocliAsPicocliWould(String line) {
        String[] args = line.split(" ");
        RunCommand plain = RunCommand.parsePlain(args).orElseThrow();
        RunCommand picocli = (RunCommand) AgentMain.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
        assertThat(plain).usingRecursiveComparison().isEqualTo(picocli);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "run --help", "run -h", "run --version", "run --server", "run --server --state-dir x", "run --bogus 1",
        "run --server a --server b", "run @args.txt", "run --state-dir @args.txt", "status", "enroll --server x",
    })
    void everyOtherCommandLineGoesToPicocli(String line) {
        assertThat(RunCommand.parsePlain(line.split(" "))).isEmpty();
    }

    @Test
    void theDaemonsOwnPathExitsWithTheSameCodesAndMessages() throws Exception {
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        PrintStream savedErr = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            Path bad = tmp.resolve("bad.conf");
            java.nio.file.Files.writeString(bad, "sample.interval = 0s\n");
            assertThat(Launcher.runDaemon(RunCommand.parsePlain(new String[] {"run", "--config", bad.toString()}).orElseThrow()))
                    .isEqualTo(ExitCodes.USAGE);
            Path conf = tmp.resolve("agent.conf");
            java.nio.file.Files.writeString(conf, "state.dir = " + tmp.resolve("state") + "\n");
            assertThat(Launcher.runDaemon(RunCommand.parsePlain(new String[] {"run", "--config", conf.toString()}).orElseThrow()))
                    .isEqualTo(ExitCodes.NOT_ENROLLED);
        } finally {
            System.setErr(savedErr);
        }
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("sample.interval").contains("not enrolled")
                .doesNotContain("\tat ");
    }

    @Test
    void theDaemonNeverLoadsPicocli() throws Exception {
        // A real JVM on the jar's entry point: `run` up to its first failure (not enrolled), listing
        // every class it loads. picocli would show up here through Launcher, RunCommand or ExitCodes.
        Path conf = tmp.resolve("agent.conf");
        java.nio.file.Files.writeString(conf, "state.dir = " + tmp.resolve("state") + "\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
                "run", "--config", conf.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(ExitCodes.NOT_ENROLLED);
        assertThat(out).contains("io.assay.agent.cli.RunCommand").contains("not enrolled").doesNotContain(" picocli.");
    }
}
