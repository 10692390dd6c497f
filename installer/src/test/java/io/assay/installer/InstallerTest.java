package io.assay.installer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacks the installer archive that the build ships and installs it into a temporary root. */
class InstallerTest {
    @TempDir Path tmp;
    Path unpacked;
    Path root;

    @BeforeEach
    void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("assay.installer.archive",
                "target/assay-agent-0.1.0-SNAPSHOT-installer.tar.gz"));
        assertThat(archive).as("installer archive built before the tests").exists();
        Path into = Files.createDirectories(tmp.resolve("unpacked"));
        assertThat(run(List.of("tar", "-xzf", archive.toString(), "-C", into.toString())).exit).isZero();
        try (var dirs = Files.list(into)) {
            unpacked = dirs.findFirst().orElseThrow();
        }
        root = tmp.resolve("root");
    }

    @Test
    void archiveHoldsTheAgentJarUnitConfigAndScripts() {
        assertThat(unpacked.resolve("lib/assay-agent.jar")).isRegularFile();
        assertThat(unpacked.resolve("lib/jvm.options")).content().contains("-Xmx32m", "-XX:+UseSerialGC");
        assertThat(unpacked.resolve("agent.conf")).content().contains("server.url");
        assertThat(unpacked.resolve("install.sh")).isExecutable();
        assertThat(unpacked.resolve("uninstall.sh")).isExecutable();
    }

    @Test
    void installsIntoAPrefixWithPrivateStateAndTheLeastCapabilities() throws Exception {
        Result r = install("--prefix", root.toString());
        assertThat(r.exit).as(r.output).isZero();

        assertThat(root.resolve("opt/assay/lib/assay-agent.jar")).isRegularFile();
        assertThat(root.resolve("opt/assay/bin/assay-agent")).isExecutable();
        assertThat(mode(root.resolve("var/lib/assay"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("etc/assay/agent.conf"))).isEqualTo("rw-r-----");
        assertThat(root.resolve("etc/assay/allowlist.json.example")).content().contains("\"reason\"", "\"expires\"");
        assertThat(root.resolve("etc/assay/local-rules.json.example")).isRegularFile();
        assertThat(root.resolve("etc/assay/allowlist.json")).as("no active allowlist until the operator writes one")
                .doesNotExist();
        String unit = Files.readString(root.resolve("etc/systemd/system/assay-agent.service"));
        assertThat(unit)
                .contains("Restart=on-failure")
                .contains("AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_NET_RAW\n")
                .contains("CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_NET_RAW\n")
                .contains("NoNewPrivileges=yes")
                // JNA must not unpack into /tmp, which ProtectSystem=strict makes read-only.
                .contains("Environment=ASSAY_JNA_TMPDIR=/var/lib/assay/jna\n")
                .contains("ExecStart=/opt/assay/bin/assay-agent run --config /etc/assay/agent.conf");
    }

    @Test
    void reinstallKeepsTheOperatorsConfigAndTheState() throws Exception {
        assertThat(install("--prefix", root.toString()).exit).isZero();
        Path conf = root.resolve("etc/assay/agent.conf");
        Files.writeString(conf, "server.url = https://collector.example:8440\n");
        Path key = Files.writeString(root.resolve("var/lib/assay/host.key"), "seed");

        Result again = install("--prefix", root.toString());

        assertThat(again.exit).as(again.output).isZero();
        assertThat(again.output).contains("keeping existing");
        assertThat(conf).hasContent("server.url = https://collector.example:8440");
        assertThat(root.resolve("etc/assay/agent.conf.new")).exists();
        assertThat(key).hasContent("seed");
    }

    @Test
    void uninstallKeepsStateUnlessPurged() throws Exception {
        assertThat(install("--prefix", root.toString()).exit).isZero();
        Files.writeString(root.resolve("var/lib/assay/host.key"), "seed");

        Result keep = run(List.of("sh", root.resolve("opt/assay/uninstall.sh").toString(), "--prefix", root.toString()));
        assertThat(keep.exit).as(keep.output).isZero();
        assertThat(root.resolve("opt/assay")).doesNotExist();
        assertThat(root.resolve("etc/systemd/system/assay-agent.service")).doesNotExist();
        assertThat(root.resolve("var/lib/assay/host.key")).exists();
        assertThat(root.resolve("etc/assay/agent.conf")).exists();

        Result purge = run(List.of("sh", unpacked.resolve("uninstall.sh").toString(), "--prefix", root.toString(), "--purge"));
        assertThat(purge.exit).as(purge.output).isZero();
        assertThat(root.resolve("var/lib/assay")).doesNotExist();
        assertThat(root.resolve("etc/assay")).doesNotExist();
    }

    @Test
    void writesTheCollectorUrlIntoAFreshConfig() throws Exception {
        assertThat(install("--prefix", root.toString(), "--server", "https://c.example:8440").exit).isZero();
        assertThat(Files.readAllLines(root.resolve("etc/assay/agent.conf")))
                .contains("server.url = https://c.example:8440");
    }

    @Test
    void unknownOptionsAreUsageErrors() throws Exception {
        Result r = install("--prefixx", root.toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("unknown option '--prefixx'");
        assertThat(install("--help").output).contains("--prefix DIR");
    }

    @Test
    void theInstalledUnitPassesSystemdAnalyzeVerify() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze not installed");
        assertThat(install("--prefix", root.toString()).exit).isZero();
        // verify checks that ExecStart exists, so point the unit at the prefix it was installed into.
        String unit = Files.readString(root.resolve("etc/systemd/system/assay-agent.service"))
                .replace("/opt/assay/", root.resolve("opt/assay") + "/");
        Path copy = Files.writeString(tmp.resolve("assay-agent.service"), unit);

        Result r = run(List.of("systemd-analyze", "verify", copy.toString()));

        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).isEmpty();
    }

    @Test
    void theLauncherStartsTheAgentWithTheTunedFlags() throws Exception {
        assertThat(install("--prefix", root.toString()).exit).isZero();
        Result r = run(List.of(root.resolve("opt/assay/bin/assay-agent").toString(), "--help"));
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("enroll", "run", "status");
    }

    private Result install(String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of("sh", unpacked.resolve("install.sh").toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
