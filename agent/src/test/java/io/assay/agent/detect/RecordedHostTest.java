package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detector over a recorded host: /proc, /sys and /etc trees written by the test, time driven by the test. */
class RecordedHostTest {
    @TempDir Path root;
    Path proc;
    Path sys;
    Path etc;
    long busyTicks = 1000;
    final Clock clock = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);

    private final java.util.List<Path> binaryDirs = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void removeBinaries() throws IOException {
        for (Path dir : binaryDirs) {
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }

    @BeforeEach
    void host() throws IOException {
        proc = Files.createDirectories(root.resolve("proc"));
        sys = Files.createDirectories(root.resolve("sys"));
        etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/usr/sbin/nologin\n");
        Files.createDirectories(proc.resolve("sys/vm"));
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/vm/nr_hugepages"), "0\n");
        Files.writeString(proc.resolve("sys/kernel/pid_max"), "400\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 1000 kB\nHugePages_Total: 0\nHugepagesize: 2048 kB\n");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/tcp"), "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        writeStat();
    }

    void writeStat() throws IOException {
        Files.writeString(proc.resolve("stat"), "cpu  " + busyTicks + " 0 0 100000 0 0 0 0 0 0\nbtime 1700000000\n");
    }

    /** Writes /proc/PID with an exe symlink to {@code exeTarget} ("" for none). */
    void process(int pid, int ppid, String comm, String exeTarget, List<String> argv, long ticks, int nice, int uid, String cwd,
            Map<Integer, String> fds, long hugetlbKb) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("stat"), pid + " (" + comm + ") R " + ppid + " " + pid + " " + pid + " 0 -1 0 0 0 0 0 " + ticks
                + " 0 0 0 20 " + nice + " 1 0 500 1000 100 0 0 0");
        Files.writeString(d.resolve("status"), "Name:\t" + comm + "\nTgid:\t" + pid + "\nPPid:\t" + ppid + "\nUid:\t" + uid + "\t" + uid
                + "\t" + uid + "\t" + uid + "\nHugetlbPages:\t" + hugetlbKb + " kB\n");
        Files.write(d.resolve("cmdline"), String.join("\0", argv).getBytes(StandardCharsets.UTF_8));
        Files.writeString(d.resolve("cgroup"), "0::/system.slice/app.service\n");
        Files.deleteIfExists(d.resolve("exe"));
        if (!exeTarget.isEmpty()) Files.createSymbolicLink(d.resolve("exe"), Path.of(exeTarget));
        Files.deleteIfExists(d.resolve("cwd"));
        Files.createSymbolicLink(d.resolve("cwd"), Path.of(cwd));
        Path fd = Files.createDirectories(d.resolve("fd"));
        for (var e : fds.entrySet()) {
            Files.deleteIfExists(fd.resolve(e.getKey().toString()));
            Files.createSymbolicLink(fd.resolve(e.getKey().toString()), Path.of(e.getValue()));
        }
    }

    HostDetector detector() {
        return Detectors.builtIn(new HostDetector.Roots(proc, sys, etc));
    }

    /**
     * A fake executable outside the miner drop directories (the @TempDir is under /tmp, which is itself
     * evidence). The build directory is the first choice, but a checkout may itself live under /tmp
     * (CI clones anywhere), so fall back to the user's cache directory.
     */
    Path binary(String name, String content) throws IOException {
        Path base = Path.of("target").toAbsolutePath();
        if (inDropDirectory(base)) base = Path.of(System.getProperty("user.home"), ".cache", "assay-tests");
        assertThat(inDropDirectory(base)).as("a place for fake executables outside %s", DROP_DIRS).isFalse();
        Path dir = Files.createDirectories(base.resolve("recorded-bin").resolve(root.getFileName().toString()));
        if (!binaryDirs.contains(dir)) binaryDirs.add(dir);
        return write(dir.resolve(name), content);
    }

    private static final List<String> DROP_DIRS = builtInRules().thresholds().suspiciousDirs();

    private static Rules builtInRules() {
        try (var in = RecordedHostTest.class.getClassLoader().getResourceAsStream(RuleSource.BUILT_IN)) {
            return Rules.parse(RuleSource.BUILT_IN, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean inDropDirectory(Path p) {
        return DROP_DIRS.stream().anyMatch(d -> (p + "/").startsWith(d));
    }

    Path binaryInTmp(String name, String content) throws IOException {
        return write(Files.createDirectories(root.resolve("bin")).resolve(name), content);
    }

    private static Path write(Path b, String content) throws IOException {
        Files.writeString(b, "\u007fELF" + content);
        return b;
    }

    @Test
    void falsePositiveTrapsStayBelowMining() throws Exception {
        Path gcc = binary("gcc", "GNU C compiler");
        process(10, 1, "gcc", gcc.toString(), List.of("gcc", "-O2", "-c", "net.c", "-o", "pool.o"), 10, 0, 0, "/", Map.of(), 0);
        process(11, 1, "sha256sum", binary("sha256sum", "coreutils").toString(), List.of("sha256sum", "big.iso"), 10, 0, 0, "/", Map.of(), 0);
        process(12, 1, "java", binary("java", "OpenJDK").toString(), List.of("java", "-jar", "app.jar", "-a", "scrypt"), 10, 0, 0, "/",
                Map.of(3, "socket:[900]"), 0);
        // the JVM talks HTTPS (443) while busy: a blend port with only load behind it is not evidence
        Files.writeString(proc.resolve("net/tcp"), "  sl  local_address rem_address   st\n"
                + "   0: 0F02000A:C350 2B6D0B68:01BB 01 00000000:00000000 00:00000000 00000000     0        0 900 1\n");
        process(2, 0, "kthreadd", "", List.of(), 0, 0, 0, "/", Map.of(), 0);
        process(13, 2, "kworker/0:1", "", List.of(), 0, 0, 0, "/", Map.of(), 0);
        HostDetector d = detector();
        for (int i = 0; i < 5; i++) {
            busyTicks += 300;
            writeStat();
            for (int pid : new int[] {10, 11, 12}) bumpTicks(pid, 100 * (i + 1));
            assertThat(d.observe(clock.instant().plusSeconds(i))).isEmpty();
        }
        Assessment a = d.closeWindow(clock.instant().plusSeconds(5));
        assertThat(a.findings()).noneMatch(f -> f.kind() == Finding.Kind.SIGNATURE);
        assertThat(a.findings()).noneMatch(f -> f.pid() == 13);
        assertThat(a.verdict()).as(a.toString()).isEqualTo(Verdict.SUSPECT);
        assertThat(a.findings()).extracting(Finding::ruleId).containsOnly("beh.cpu.sustained");
    }

    @Test
    void loneMemfdExecutablesOfContainerRuntimesAndSystemdAreKeptButNotSuspect() throws Exception {
        process(1, 0, "systemd", binary("systemd", "init").toString(), List.of("/sbin/init"), 5, 0, 0, "/", Map.of(), 0);
        process(20, 1, "runc:[2:INIT]", "/memfd:runc_cloned:/proc/self/exe (deleted)", List.of("runc", "init"), 1, 0, 0, "/",
                Map.of(), 0);
        process(21, 1, "memfd:sealed-91", "/memfd:sealed-91173221a7ea (deleted)", List.of(), 0, 0, 0, "/", Map.of(), 0);
        HostDetector d = detector();
        for (int i = 0; i < 5; i++) d.observe(clock.instant().plusSeconds(i));
        Assessment a = d.closeWindow(clock.instant().plusSeconds(5));
        assertThat(a.findings()).as("kept as evidence").extracting(Finding::ruleId, Finding::pid)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("beh.exe.memfd", 20),
                        org.assertj.core.groups.Tuple.tuple("beh.exe.memfd", 21));
        assertThat(a.verdict()).as(a.toString()).isEqualTo(Verdict.CLEAN);
        assertThat(io.assay.agent.detect.judge.Verdicts.ofProcesses(a.findings())).containsEntry(20, Verdict.CLEAN).containsEntry(21, Verdict.CLEAN);
    }

    @Test
    void aMemfdExecutableThatBurnsCpuIsMiningAndOneWithAnotherBehaviourIsSuspect() throws Exception {
        process(30, 1, "worker", "/memfd:x (deleted)", List.of("worker"), 10, 0, 0, "/", Map.of(), 0);
        HostDetector d = detector();
        for (int i = 0; i < 5; i++) {
            busyTicks += 100;
            writeStat();
            bumpTicks(30, 100 * (i + 1));
            d.observe(clock.instant().plusSeconds(i));
        }
        Assessment a = d.closeWindow(clock.instant().plusSeconds(5));
        assertThat(a.findings()).extracting(Finding::ruleId).contains("beh.exe.memfd", "beh.cpu.sustained");
        assertThat(a.verdict()).as("location + load, as before").isEqualTo(Verdict.MINING);

        // an idle memfd process posing as a kernel thread: location + disguise, no resource group
        process(31, 1, "kworker/0:2", "/memfd: (deleted)", List.of("[kworker/0:2]"), 0, 0, 0, "/", Map.of(), 0);
        Files.walk(proc.resolve("30")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        HostDetector e = detector();
        for (int i = 0; i < 3; i++) e.observe(clock.instant().plusSeconds(10 + i));
        Assessment b = e.closeWindow(clock.instant().plusSeconds(13));
        assertThat(b.findings()).extracting(Finding::ruleId).contains("beh.exe.memfd", "beh.disguise.kthread");
        assertThat(b.verdict()).as(b.toString()).isEqualTo(Verdict.SUSPECT);
        assertThat(io.assay.agent.detect.judge.Verdicts.ofProcesses(b.findings())).containsEntry(31, Verdict.SUSPECT);
    }

    @Test
    void unreadableExeNoteGivesAdviceOnlyWhenTheAgentIsNotRoot() throws Exception {
        assertThat(detector().effectiveUid()).as("no self/status recorded").isEqualTo(-1);
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/status"), "Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
        assertThat(detector().effectiveUid()).as("the effective uid is the second field").isEqualTo(0);
        Files.writeString(proc.resolve("self/status"), "Name:\tjava\nUid:\t0\t1000\t1000\t1000\n");
        assertThat(detector().effectiveUid()).isEqualTo(1000);

        String asRoot = HostSources.deniedExeNote(1, List.of("root"), 1, true);
        assertThat(asRoot).contains("pid 1").contains("unreadable even to root").contains("not checked").doesNotContain("run as root");
        String asUser = HostSources.deniedExeNote(3, List.of("root", "www"), 1, false);
        assertThat(asUser).contains("3 processes").contains("root, www").contains("run as root or with CAP_SYS_PTRACE");
    }

    @Test
    void onThisHostAsRootAHiddenExeIsDegradedWithTheRootNote() {
        HostDetector live = Detectors.builtIn(HostDetector.Roots.system());
        org.junit.jupiter.api.Assumptions.assumeTrue(live.effectiveUid() == 0, "the tests do not run as root");
        boolean hidden;
        try {
            Files.readSymbolicLink(Path.of("/proc/1/exe"));
            hidden = false;
        } catch (IOException e) {
            hidden = e instanceof java.nio.file.AccessDeniedException;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(hidden, "pid 1's exe is readable to root on this host");
        live.observe(Instant.now());
        Assessment a = live.closeWindow(Instant.now());
        assertThat(a.notes()).anyMatch(n -> n.contains("unreadable even to root")).noneMatch(n -> n.contains("/proc/PID/exe"));
        if (a.verdict() != Verdict.MINING) assertThat(a.verdict()).isEqualTo(Verdict.DEGRADED);
    }

    void bumpTicks(int pid, long ticks) throws IOException {
        Path st = proc.resolve(pid + "/stat");
        String s = Files.readString(st);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        f[11] = Long.toString(ticks);
        Files.writeString(st, s.substring(0, s.lastIndexOf(')') + 2) + String.join(" ", f));
    }

    @Test
    void randomxFingerprintOnARenamedProcessIsMining() throws Exception {
        // /tmp path (our @TempDir lives under /tmp), msr device open, 2 GiB of huge pages, pool connection
        Path drop = binaryInTmp("kswapd0", "nothing recognisable");
        process(50, 1, "kswapd0", drop.toString(), List.of("kswapd0"), 0, 0, 33, "/", Map.of(3, "socket:[777]", 4, "/dev/cpu/0/msr"), 2293760);
        Files.writeString(proc.resolve("net/tcp"), "  sl  local_address rem_address   st\n"
                + "   0: 0F02000A:C350 2B6D0B68:0D05 01 00000000:00000000 00:00000000 00000000    33        0 777 1\n");
        Files.writeString(proc.resolve("meminfo"), "HugePages_Total: 1168\nHugepagesize: 2048 kB\n");
        Files.createDirectories(sys.resolve("module/msr/parameters"));
        Files.writeString(sys.resolve("module/msr/parameters/allow_writes"), "on\n");
        HostDetector d = detector();
        List<Finding> fast = d.observe(clock.instant());
        assertThat(fast).extracting(Finding::ruleId).contains("sig.net.pool-endpoint");
        assertThat(fast.get(0).pid()).isEqualTo(50);
        assertThat(fast.get(0).user()).isEqualTo("www");
        assertThat(d.observe(clock.instant().plusSeconds(1))).as("a signature is returned once").isEmpty();
        Assessment a = d.closeWindow(clock.instant().plusSeconds(2));
        assertThat(a.verdict()).isEqualTo(Verdict.MINING);
        assertThat(a.findings()).extracting(Finding::ruleId).contains("beh.hugepages", "beh.msr", "beh.disguise.kthread", "beh.exe.location",
                "host.hugepages", "host.msr-writes");
        // the next window still reports the miner, but observe does not re-fire the fast path
        assertThat(d.observe(clock.instant().plusSeconds(3))).isEmpty();
        assertThat(d.closeWindow(clock.instant().plusSeconds(4)).verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void hiddenCpuWithPreloadIsMiningAndHiddenPidsAreFound() throws Exception {
        process(1, 0, "init", binary("init", "systemd").toString(), List.of("/sbin/init"), 5, 0, 0, "/", Map.of(), 0);
        Files.writeString(etc.resolve("ld.so.preload"), "/usr/local/lib/libprocesshider.so\n");
        HostDetector d = detector();
        for (int i = 0; i < 5; i++) {
            busyTicks += 100; // one core busy, charged to nobody we can see
            writeStat();
            d.observe(clock.instant().plusSeconds(i));
        }
        // a real /proc would show /proc/77 by number but not in the listing; a recorded tree cannot hide it,
        // so the walk's comparison is checked with a pid the listing lacks: none here
        Assessment a = d.closeWindow(clock.instant().plusSeconds(5));
        assertThat(a.findings()).extracting(Finding::ruleId).contains("host.hidden-cpu", "host.ld-preload");
        assertThat(a.verdict()).isEqualTo(Verdict.MINING);
    }

    @Test
    void missingTcpTableDegradesButMiningWins() throws Exception {
        Files.delete(proc.resolve("net/tcp"));
        process(1, 0, "init", binary("init", "systemd").toString(), List.of("/sbin/init"), 5, 0, 0, "/", Map.of(), 0);
        HostDetector d = detector();
        d.observe(clock.instant());
        Assessment a = d.closeWindow(clock.instant().plusSeconds(1));
        assertThat(a.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(a.notes()).anyMatch(n -> n.contains("net/tcp"));

        process(60, 1, "worker", binary("worker", "xmrig XMRig stratum+tcp:// mining.subscribe randomx").toString(),
                List.of("worker"), 0, 0, 0, "/", Map.of(), 0);
        d.observe(clock.instant().plusSeconds(2));
        Assessment b = d.closeWindow(clock.instant().plusSeconds(3));
        assertThat(b.verdict()).isEqualTo(Verdict.MINING);
        assertThat(b.findings()).anyMatch(f -> f.ruleId().equals("sig.exe.miner-strings") && f.exeSha256().length() == 64);
    }

    @Test
    void executablesAreReadOncePerFileVersion() throws Exception {
        Path shared = binary("sleep", "x".repeat(100_000));
        for (int pid = 100; pid < 150; pid++) process(pid, 1, "sleep", shared.toString(), List.of("sleep", "60"), 0, 0, 0, "/", Map.of(), 0);
        HostDetector d = detector();
        d.observe(clock.instant());
        long first = d.exeBytesRead();
        assertThat(first).isEqualTo(Files.size(shared));
        d.observe(clock.instant().plusSeconds(1));
        assertThat(d.exeBytesRead()).isEqualTo(first);
    }
}
