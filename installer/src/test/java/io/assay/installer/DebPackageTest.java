package io.assay.installer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb packages the build makes, looked at with Debian's own tools: their contents, and a real
 * {@code dpkg --root} install, removal and purge in a scratch root, with the maintainer scripts
 * run against that root (DPKG_ROOT).
 */
class DebPackageTest {
    static final Path AGENT_DEB = Path.of(System.getProperty("assay.agent.deb", "target/assay-agent_0.1.0-SNAPSHOT_amd64.deb"));
    static final Path SERVER_DEB = Path.of(System.getProperty("assay.server.deb", "target/assay-server_0.1.0-SNAPSHOT_amd64.deb"));

    @TempDir Path tmp;

    @Test
    void theAgentPackageHoldsTheUnitTheConfigAndARuntime() throws Exception {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb not installed");
        Result contents = run("dpkg-deb", "-c", AGENT_DEB.toString());
        assertThat(contents.exit).as(contents.output).isZero();
        assertThat(contents.output)
                .contains("./lib/systemd/system/assay-agent.service")
                .contains("./etc/assay/agent.conf")
                .contains("./opt/assay/runtime/bin/java")
                .contains("./opt/assay/lib/assay-agent.jar")
                .contains("./opt/assay/lib/assay-agent.classlist")
                .contains("./usr/bin/assay-agent -> /opt/assay/bin/assay-agent");
        Result info = run("dpkg-deb", "-I", AGENT_DEB.toString());
        assertThat(info.output).contains("Package: assay-agent").contains("Architecture: amd64").doesNotContain("[[");
        Result conffiles = run("dpkg-deb", "-I", AGENT_DEB.toString(), "conffiles");
        assertThat(conffiles.output).as("the operator's config survives upgrades").contains("/etc/assay/agent.conf");
        assertThat(Files.size(AGENT_DEB)).as("a runtime and a jar, not a JDK").isLessThan(80L << 20);
    }

    @Test
    void installsIntoAScratchRootRunsWithThePackagedRuntimeAndKeepsStateUnlessPurged() throws Exception {
        assumeTrue(onPath("dpkg"), "dpkg not installed");
        Path root = scratchRoot();
        Result install = dpkg(root, "-i", AGENT_DEB.toString());
        assertThat(install.exit).as(install.output).isZero();
        assertThat(install.output).contains("not enrolled").contains("assay-agent enroll");

        assertThat(mode(root.resolve("var/lib/assay"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("etc/assay/agent.conf"))).isEqualTo("rw-r-----");
        Path java = root.resolve("opt/assay/runtime/bin/java");
        assertThat(java).isExecutable();
        // On the PATH: /usr/bin/assay-agent links to the launcher (absolute, so resolve it in the root).
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/assay-agent")).toString()).isEqualTo("/opt/assay/bin/assay-agent");
        Result version = runWith(List.of("ASSAY_JAVA="), root.resolve("opt/assay/bin/assay-agent").toString(), "--version");
        assertThat(version.exit).as(version.output).isZero();
        assertThat(version.output).startsWith("assay-agent ");
        Result home = run(java.toString(), "-XshowSettings:properties", "-version");
        assertThat(home.output).contains("java.home = " + root.resolve("opt/assay/runtime"));
        // postinst built the class-data archive for this runtime and jar: -Xshare:on refuses to start
        // with an archive it cannot map, and the launcher picks it up.
        Path archive = root.resolve("var/cache/assay/assay-agent.jsa");
        assertThat(archive).as(Files.readString(root.resolve("var/cache/assay/cds-dump.log"))).isRegularFile();
        Result shared = run(java.toString(), "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xmx32m", "-XX:+UseSerialGC",
                "-Xlog:class+load=info", "-cp", root.resolve("opt/assay/lib/assay-agent.jar").toString(),
                "io.assay.agent.cli.Launcher", "--version");
        assertThat(shared.exit).as(shared.output).isZero();
        assertThat(shared.output).contains("io.assay.agent.cli.Launcher source: shared objects file");
        Result launched = runWith(List.of("ASSAY_JAVA=", "ASSAY_CDS_ARCHIVE=" + archive),
                root.resolve("opt/assay/bin/assay-agent").toString(), "--version");
        assertThat(launched.exit).as(launched.output).isZero();

        // The operator's state and edited config survive removal; purge deletes them.
        Files.writeString(root.resolve("var/lib/assay/host.key"), "evidence");
        Files.writeString(root.resolve("etc/assay/agent.conf"), "server.url = https://c.example\n");
        Result remove = dpkg(root, "-r", "assay-agent");
        assertThat(remove.exit).as(remove.output).isZero();
        assertThat(root.resolve("opt/assay/lib/assay-agent.jar")).doesNotExist();
        assertThat(root.resolve("var/cache/assay")).as("the archive goes with the jar").doesNotExist();
        assertThat(root.resolve("var/lib/assay/host.key")).hasContent("evidence");
        assertThat(root.resolve("etc/assay/agent.conf")).as("a conffile stays until purge").exists();
        Result purge = dpkg(root, "-P", "assay-agent");
        assertThat(purge.exit).as(purge.output).isZero();
        assertThat(root.resolve("var/lib/assay")).doesNotExist();
        assertThat(root.resolve("etc/assay/agent.conf")).doesNotExist();
    }

    @Test
    void thePackagedUnitsPassSystemdAnalyzeVerify() throws Exception {
        assumeTrue(onPath("dpkg-deb") && onPath("systemd-analyze"), "dpkg-deb or systemd-analyze not installed");
        for (var pkg : List.of(List.of(AGENT_DEB.toString(), "assay-agent", "/opt/assay/"),
                List.of(SERVER_DEB.toString(), "assay-server", "/opt/assay-server/"))) {
            Path x = Files.createDirectories(tmp.resolve(pkg.get(1)));
            assertThat(run("dpkg-deb", "-x", pkg.get(0), x.toString()).exit).isZero();
            // verify checks that ExecStart exists, so point the unit at where it was unpacked.
            String unit = Files.readString(x.resolve("lib/systemd/system/" + pkg.get(1) + ".service"))
                    .replace(pkg.get(2), x.resolve(pkg.get(2).substring(1)) + "/")
                    .replace("EnvironmentFile=/etc/default/", "EnvironmentFile=" + x.resolve("etc/default") + "/");
            Path copy = Files.writeString(tmp.resolve(pkg.get(1) + ".service"), unit);
            Result r = run("systemd-analyze", "verify", copy.toString());
            assertThat(r.exit).as(pkg.get(1) + ": " + r.output).isZero();
        }
    }

    @Test
    void theServerPackageRunsItsJarWithThePackagedRuntime() throws Exception {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb not installed");
        Path x = Files.createDirectories(tmp.resolve("server"));
        assertThat(run("dpkg-deb", "-x", SERVER_DEB.toString(), x.toString()).exit).isZero();
        assertThat(x.resolve("etc/default/assay-server")).content().contains("ASSAY_SERVER_ARGS");
        Result help = runWith(List.of("ASSAY_JAVA="), x.resolve("opt/assay-server/bin/assay-server").toString(), "--help");
        assertThat(help.exit).as(help.output).isZero();
        assertThat(help.output).contains("serve");
    }

    /** An empty root with the dpkg database dpkg --root needs. */
    private Path scratchRoot() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createDirectories(root.resolve("var/lib/dpkg/triggers"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("var/lib/dpkg/available"), "");
        return root;
    }

    private static Result dpkg(Path root, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dpkg", "--root=" + root, "--force-script-chrootless",
                "--force-not-root", "--force-bad-path", "--force-depends", "--log=/dev/null"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    private static boolean onPath(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private record Result(int exit, String output) {}

    private static Result run(String... cmd) throws Exception {
        return runWith(List.of(), cmd);
    }

    private static Result runWith(List<String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (String kv : env) {
            String[] p = kv.split("=", 2);
            if (p[1].isEmpty()) pb.environment().remove(p[0]);
            else pb.environment().put(p[0], p[1]);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + List.of(cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
