package io.assay.agent.detect;

import io.assay.agent.evidence.AhoCorasick;
import io.assay.agent.evidence.ExeScanner;
import io.assay.agent.evidence.HostProbe;
import io.assay.agent.evidence.LoopbackClient;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessListing;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.agent.evidence.ProcessTable;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector for a Linux host: reads {@code /proc}, {@code /sys} and {@code /etc} under
 * injectable roots, applies {@link Rules} and the operator's {@link Allowlist}, and combines the
 * evidence into a verdict as described in this package's documentation.
 *
 * <p>Confined to one thread (the agent's sampling thread). Every evidence source degrades instead
 * of throwing: {@link #observe} and {@link #closeWindow} never throw for host state.
 */
public final class HostDetector implements Detector {
    /** Filesystem roots; tests point them at recorded trees. */
    public record Roots(Path proc, Path sys, Path etc) {
        public static Roots system() {
            return new Roots(Path.of("/proc"), Path.of("/sys"), Path.of("/etc"));
        }
    }

    private static final Logger log = LoggerFactory.getLogger(HostDetector.class);
    private static final long CONFIG_ACTIVE_TICKS = 1;
    /** Compiled once: it is checked against every open file of every process on every tick. */
    private static final Pattern MSR_DEVICE = Pattern.compile("/dev/cpu/\\d+/msr");

    private final Clock clock;
    private final RuleSource source;
    private final Roots roots;
    private final ProcessTable table;
    private final HostProbe probe;
    /** Listening sockets are probed only on the live host: a recorded tree's ports are another host's. */
    private final boolean liveHost;
    private final long selfPid = ProcessHandle.current().pid();
    private Rules rules;
    private String activeRulesHash;
    private ExeScanner scanner;

    private final Map<ProcessSnapshot.Key, Tracked> tracked = new HashMap<>();
    private final Map<String, Long> firstSeen = new HashMap<>();
    private final Set<String> emitted = new HashSet<>();
    private final LinkedHashMap<String, Finding> window = new LinkedHashMap<>();
    private final Set<String> windowNotes = new LinkedHashSet<>();
    private final Map<String, ConfigVerdict> configCache = new HashMap<>();
    private final Set<Integer> hiddenPids = new TreeSet<>();
    private boolean degraded;
    private int observations;
    private long cycle;
    private Instant prevAt;
    private Optional<ProcParsers.CpuTimes> prevCpu = Optional.empty();
    private long windowBusyTicks;
    private long windowVisibleTicks;
    private double windowSeconds;
    private int hostIntervals;
    private int lastPidMax = 32768;
    private long lastBootSeconds;
    private ProcessListing lastListing = ProcessListing.NONE;

    public HostDetector(Roots roots, Clock clock, RuleSource source) {
        this.roots = roots;
        this.clock = clock;
        this.source = source;
        this.table = new ProcessTable(roots.proc(), roots.etc());
        this.probe = new HostProbe(table, roots.sys(), roots.etc());
        this.liveHost = roots.proc().toAbsolutePath().normalize().equals(Path.of("/proc"));
        applyRules();
    }

    private void applyRules() {
        this.rules = source.rules();
        this.activeRulesHash = source.rulesHash();
        List<String> pats = new ArrayList<>();
        for (Rules.BinaryString b : rules.binaryStrings()) pats.add(b.text());
        pats.addAll(rules.packerMarkers());
        this.scanner = new ExeScanner(new AhoCorasick(pats), rules.thresholds().exeScanMaxBytes());
        for (Tracked t : tracked.values()) {
            t.analysed = false;
            t.exeFinal = false;
            t.sticky.clear();
            t.apiProbed.clear(); // new requests or answer shapes: ask again
        }
    }

    @Override
    public String rulesHash() {
        return source.rulesHash();
    }

    @Override
    public String allowlistHash() {
        return source.allowlistHash();
    }

    /** Rules in force (for the CLI and tests). */
    public Rules rules() {
        return rules;
    }

    /** Bytes of executables read since start (the cost benchmark's number). */
    public long exeBytesRead() {
        return scanner.bytesRead();
    }

    /** Bytes of /proc, /sys, /etc and config files read since start. */
    public long procBytesRead() {
        return table.bytesRead();
    }

    /**
     * The processes read by the latest {@link #observe}, as the {@code /proc} listing shows them
     * (processes found hidden from the listing are not in it); empty before the first observe and
     * when the listing failed.
     */
    public ProcessListing lastListing() {
        return lastListing;
    }

    @Override
    public List<Finding> observe(Instant now) {
        try {
            return doObserve(now);
        } catch (RuntimeException e) {
            // a bug or an unexpected kernel format must not stop the agent: say so in the report
            degraded = true;
            windowNotes.add("detector error while observing: " + e + "; this window's evidence is incomplete");
            return List.of();
        }
    }

    private List<Finding> doObserve(Instant now) {
        cycle++;
        observations++;
        lastListing = new ProcessListing(now, 0, List.of());
        Rules.Thresholds th = rules.thresholds();
        scanner.startCycle(th.exeScanBudgetBytes());
        HostProbe.HostState host = probe.read();
        lastPidMax = host.pidMax();
        lastBootSeconds = host.bootTimeSeconds();
        Set<Integer> listed = table.listPids();
        Set<Integer> pids = new TreeSet<>(listed);
        if (pids.isEmpty()) {
            degraded = true;
            windowNotes.add("cannot list processes under " + roots.proc() + ": is procfs mounted there?");
        }
        pids.addAll(hiddenPids);
        List<ProcessSnapshot> snaps = new ArrayList<>();
        for (int pid : pids) table.read(pid).ifPresent(snaps::add);
        List<ProcessSnapshot> shown = snaps;
        if (!hiddenPids.isEmpty()) shown = snaps.stream().filter(s -> listed.contains(s.pid())).toList();
        lastListing = new ProcessListing(now, host.bootTimeSeconds(), shown);
        HostProbe.TcpTable tcp = probe.readTcp();
        if (!tcp.readable()) {
            degraded = true;
            windowNotes.add("cannot read " + roots.proc().resolve("net/tcp") + ": pool connections are not visible");
        }
        Map<Long, Integer> inodeOwner = new HashMap<>();
        for (ProcessSnapshot s : snaps) for (long ino : s.socketInodes()) inodeOwner.put(ino, s.pid());
        Map<Integer, List<ProcParsers.TcpConnection>> conns = new HashMap<>();
        for (ProcParsers.TcpConnection c : tcp.connections()) {
            Integer owner = inodeOwner.get(c.inode());
            if (owner != null && c.inode() != 0) conns.computeIfAbsent(owner, k -> new ArrayList<>()).add(c);
        }

        double elapsed = prevAt == null ? 0 : Duration.between(prevAt, now).toMillis() / 1000.0;
        long visible = 0;
        Map<String, Integer> deniedExeByUser = new LinkedHashMap<>();
        int deniedExe = 0;
        int deniedExample = 0;
        int deniedFd = 0;
        for (ProcessSnapshot s : snaps) {
            Tracked t = tracked.get(s.key());
            boolean isNew = t == null;
            if (isNew) {
                t = new Tracked();
                tracked.put(s.key(), t);
            }
            if (!isNew && elapsed > 0 && t.prevTicks >= 0) {
                long d = Math.max(0, s.cpuTicks() - t.prevTicks);
                visible += d + Math.max(0, s.childTicks() - t.prevChildTicks);
                double share = d / (elapsed * ProcParsers.TICKS_PER_SECOND) * 100.0;
                t.intervals++;
                if (share >= th.cpuSustainedPercent()) t.busyIntervals++;
                t.lastShare = share;
            } else if (isNew && prevAt != null && startedAfter(s, prevAt, host.bootTimeSeconds())) {
                visible += s.cpuTicks() + s.childTicks(); // born in this interval: all its time is in it
            }
            t.prevTicks = s.cpuTicks();
            t.prevChildTicks = s.childTicks();
            t.snap = s;
            t.lastCycle = cycle;
            t.seenInWindow = true;
            if (s.exeAccess() == ProcessSnapshot.Access.DENIED) {
                deniedExe++;
                deniedExample = s.pid();
                deniedExeByUser.merge(s.user().isEmpty() ? "?" : s.user(), 1, Integer::sum);
            }
            if (!s.fdReadable()) deniedFd++;
            for (Finding f : t.sticky) window.putIfAbsent(key(f), f);
            if (!t.analysed) {
                analyseStatic(t);
                t.analysed = true;
            }
            if (!t.exeFinal) scanExe(t);
            analyseDynamic(t, conns.getOrDefault(s.pid(), List.of()));
        }
        if (liveHost && rules.minerApis().enabled()) probeApis(snaps, tcp);
        if (deniedExe > 0 || deniedFd > 0) {
            degraded = true;
            boolean root = effectiveUid() == 0;
            if (deniedExe > 0) windowNotes.add(deniedExeNote(deniedExe, deniedExeByUser.keySet(), deniedExample, root));
            if (deniedFd > 0) {
                windowNotes.add("cannot list /proc/PID/fd of " + deniedFd + " processes: their connections and open files are not visible;"
                        + (root ? " the agent runs as root, so they are protected or sandboxed processes hidden even from root"
                                : " run as root or with CAP_SYS_PTRACE+CAP_DAC_READ_SEARCH"));
            }
        }
        if (host.cpu().isPresent()) {
            if (prevCpu.isPresent() && elapsed > 0) {
                windowBusyTicks += Math.max(0, host.cpu().get().busy() - prevCpu.get().busy());
                windowVisibleTicks += visible;
                windowSeconds += elapsed;
                hostIntervals++;
            }
        } else {
            degraded = true;
            windowNotes.add("cannot read " + roots.proc().resolve("stat") + ": hidden CPU cannot be measured");
        }
        prevCpu = host.cpu();
        analyseHost(host);
        prevAt = now;

        List<Finding> fresh = new ArrayList<>();
        for (var e : window.entrySet()) {
            if (e.getValue().kind() == Finding.Kind.SIGNATURE && emitted.add(e.getKey())) fresh.add(e.getValue());
        }
        return fresh;
    }

    /**
     * The note for processes whose {@code /proc/PID/exe} could not be read. Advice to run as root is
     * wrong when the agent is root already: then the kernel hides the link from root too (a protected
     * or sandboxed process, e.g. pid 1 on some VMs), and the note says so.
     */
    static String deniedExeNote(int count, java.util.Collection<String> owners, int examplePid, boolean agentIsRoot) {
        String which = count + (count == 1 ? " process" : " processes") + " (owned by " + String.join(", ", owners) + "; e.g. pid "
                + examplePid + ")";
        if (agentIsRoot) {
            return "the executable of " + which + " is unreadable even to root (a protected or sandboxed process):"
                    + " its code is not checked";
        }
        return "cannot read /proc/PID/exe of " + which + ": their code is not checked; run as root or with"
                + " CAP_SYS_PTRACE+CAP_DAC_READ_SEARCH";
    }

    /** The agent's effective uid from {@code <proc>/self/status} (a recorded tree brings its own); -1 when unknown. */
    int effectiveUid() {
        for (String line : table.readLines(roots.proc().resolve("self/status"))) {
            if (!line.startsWith("Uid:")) continue;
            String[] f = line.substring(4).trim().split("\\s+");
            try {
                return f.length >= 2 ? Integer.parseInt(f[1]) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean startedAfter(ProcessSnapshot s, Instant at, long bootSeconds) {
        if (bootSeconds == 0) return false;
        long startMs = bootSeconds * 1000 + s.startTicks() * 1000 / ProcParsers.TICKS_PER_SECOND;
        return startMs >= at.toEpochMilli();
    }

    // ---- per process, once per process lifetime ----

    private void analyseStatic(Tracked t) {
        ProcessSnapshot s = t.snap;
        Rules.Thresholds th = rules.thresholds();
        String argv0 = s.cmdline().isEmpty() ? "" : s.cmdline().get(0);
        String argv0Base = baseName(argv0.split(" ")[0]);
        String exeName = s.exeName();
        // names
        for (String candidate : List.of(exeName, s.comm(), argv0Base)) {
            String n = candidate.toLowerCase(Locale.ROOT);
            for (String miner : rules.minerNames()) {
                if (n.equals(miner) || (n.startsWith(miner) && n.length() > miner.length() && "-_.".indexOf(n.charAt(miner.length())) >= 0)) {
                    sticky(t, "sig.name.miner", Finding.Kind.SIGNATURE,
                            "process " + s.pid() + " runs a program named like the miner \"" + miner + "\"", List.of(candidate));
                    break;
                }
            }
        }
        // command line
        String cmd = s.commandLine();
        if (!cmd.isEmpty()) {
            int score = 0;
            List<String> hits = new ArrayList<>();
            for (Rules.CommandLinePattern p : rules.commandLine()) {
                if (p.regex().matcher(cmd).find()) {
                    score += p.weight();
                    hits.add(p.id());
                }
            }
            String lower = cmd.toLowerCase(Locale.ROOT);
            for (String d : rules.poolDomains()) {
                int i = lower.indexOf(d);
                if (i >= 0 && (i == 0 || !Character.isLetterOrDigit(lower.charAt(i - 1)) || lower.charAt(i - 1) == '.')) {
                    score += 2;
                    hits.add("pool-domain:" + d);
                }
            }
            List<String> wallets = new ArrayList<>();
            for (Rules.WalletFormat w : rules.wallets()) {
                Matcher m = w.regex().matcher(cmd);
                while (m.find()) {
                    if (w.check() == Wallets.Check.NONE) {
                        score += 1;
                        hits.add("wallet-like:" + w.coin() + " " + Wallets.partial(m.group()));
                    } else if (Wallets.isValid(m.group(), w.check(), w.versions())) {
                        wallets.add(w.coin() + " " + Wallets.partial(m.group()));
                    }
                }
            }
            if (!wallets.isEmpty()) {
                sticky(t, "sig.wallet.cmdline", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm()
                        + ") has a checksum-valid wallet address in its command line", wallets);
            }
            if (score >= rules.commandLineThreshold()) {
                sticky(t, "sig.cmdline.miner", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm()
                        + ") has a miner command line (" + String.join(", ", hits) + ")", hits);
            }
        }
        // disguise
        boolean realKernelThread = s.isKernelThread() || s.pid() == 2;
        boolean looksKernel = (argv0.startsWith("[") && argv0.endsWith("]")) || rules.kernelThreadNames().matcher(s.comm()).find()
                || (argv0.startsWith("[") && rules.kernelThreadNames().matcher(argv0).find());
        if (looksKernel && !realKernelThread && (s.exeAccess() == ProcessSnapshot.Access.OK || !s.cmdline().isEmpty())) {
            sticky(t, "beh.disguise.kthread", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " poses as a kernel thread (\""
                    + (argv0.isEmpty() ? s.comm() : argv0) + "\") but has an executable " + s.exePath() + " and parent " + s.ppid(),
                    List.of(argv0.isEmpty() ? s.comm() : argv0, "ppid=" + s.ppid()));
        } else if (s.exeAccess() == ProcessSnapshot.Access.OK && (rules.disguiseNames().contains(s.comm().toLowerCase(Locale.ROOT))
                || rules.disguiseNames().contains(exeName.toLowerCase(Locale.ROOT)))) {
            sticky(t, "beh.disguise.name", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " uses the name \"" + s.comm()
                    + "\", a name cryptojacking campaigns give their miners", List.of(s.comm()));
        } else if (s.exeAccess() == ProcessSnapshot.Access.OK && !s.isExeMemfd() && !exeName.isEmpty() && !nameAgrees(s.comm(), exeName, argv0Base)) {
            sticky(t, "beh.disguise.comm", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " calls itself \"" + s.comm()
                    + "\" but runs " + exeName, List.of(s.comm(), exeName));
        }
        // location
        String path = s.exeFilePath();
        for (String dir : th.suspiciousDirs()) {
            if (path.startsWith(dir)) {
                sticky(t, "beh.exe.location", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs " + path + " from " + dir
                        + ", where droppers put miners", List.of(path));
                break;
            }
        }
        if (s.isExeMemfd()) {
            sticky(t, "beh.exe.memfd", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs from memory (" + s.exePath()
                    + "), leaving no file on disk; container runtimes and systemd do this too, so alone it only corroborates",
                    List.of(s.exePath()));
        } else if (s.isExeDeleted()) {
            sticky(t, "beh.exe.deleted", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs " + s.exePath()
                    + ": its executable was deleted after start", List.of(s.exePath()));
        }
    }

    /** comm is at most 15 bytes; it agrees when it is a prefix of the exe's or argv[0]'s name, or vice versa. */
    private static boolean nameAgrees(String comm, String exeName, String argv0Base) {
        for (String n : List.of(exeName, argv0Base)) {
            if (n.isEmpty()) continue;
            String cut = n.length() > 15 ? n.substring(0, 15) : n;
            if (n.startsWith(comm) || comm.startsWith(cut) || cut.equals(comm)) return true;
        }
        return false;
    }

    private void scanExe(Tracked t) {
        ProcessSnapshot s = t.snap;
        if (s.exeAccess() != ProcessSnapshot.Access.OK) {
            t.exeFinal = true;
            return;
        }
        Path exe = roots.proc().resolve(Integer.toString(s.pid())).resolve("exe");
        Optional<ExeScanner.FileKey> key = ExeScanner.keyOf(exe);
        if (key.isEmpty()) {
            t.exeFinal = true;
            return;
        }
        Optional<ExeScanner.Result> r;
        try {
            r = scanner.scan(exe, key.get());
        } catch (AccessDeniedException e) {
            t.exeFinal = true;
            degraded = true;
            windowNotes.add("cannot read the executable of process " + s.pid() + " (" + s.exePath()
                    + "): permission denied; run as root or with CAP_DAC_READ_SEARCH");
            return;
        } catch (IOException e) {
            t.exeFinal = true; // the process exited while we read it
            return;
        }
        if (r.isEmpty()) return; // budget spent; resumed next cycle
        t.exeFinal = true;
        t.exeSha = r.get().sha256();
        BitSet found = r.get().found();
        int score = 0;
        List<String> hits = new ArrayList<>();
        List<Rules.BinaryString> bins = rules.binaryStrings();
        for (int i = 0; i < bins.size(); i++) {
            if (found.get(i)) {
                score += bins.get(i).weight();
                hits.add(bins.get(i).text());
            }
        }
        if (score >= rules.binaryThreshold()) {
            sticky(t, "sig.exe.miner-strings", Finding.Kind.SIGNATURE, "the executable of process " + s.pid() + " (" + s.exePath()
                    + ") contains miner code strings: " + String.join(", ", hits), hits);
        }
        for (int i = 0; i < rules.packerMarkers().size(); i++) {
            if (found.get(bins.size() + i)) {
                sticky(t, "beh.exe.packed", Finding.Kind.BEHAVIOUR, "the executable of process " + s.pid()
                        + " is packed (" + rules.packerMarkers().get(i) + "), hiding its strings", List.of(rules.packerMarkers().get(i)));
            }
        }
    }

    // ---- per process, every cycle ----

    private void analyseDynamic(Tracked t, List<ProcParsers.TcpConnection> conns) {
        ProcessSnapshot s = t.snap;
        Rules.Thresholds th = rules.thresholds();
        if (s.hugetlbBytes() >= th.hugetlbBytes()) {
            windowFinding(t, "beh.hugepages", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " holds " + (s.hugetlbBytes() >> 20)
                    + " MiB of explicit huge pages, the size of a RandomX dataset", List.of("HugetlbPages=" + (s.hugetlbBytes() >> 10) + " kB"));
        }
        for (String p : s.openPaths()) {
            if (MSR_DEVICE.matcher(p).matches()) {
                windowFinding(t, "beh.msr", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " has " + p
                        + " open: it tunes CPU model-specific registers, as RandomX miners do", List.of(p));
                break;
            }
        }
        if (t.intervals >= th.minIntervals() && t.busyIntervals >= Math.ceil(th.cpuSustainedFraction() * t.intervals)) {
            windowFinding(t, "beh.cpu.sustained", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " (" + s.comm() + ") kept "
                    + String.format(Locale.ROOT, "%.0f", t.lastShare) + "% of a core busy in " + t.busyIntervals + " of "
                    + t.intervals + " intervals", List.of(String.format(Locale.ROOT, "cpu=%.0f%%", t.lastShare)));
            if (s.nice() > 0) {
                windowFinding(t, "beh.cpu.niced", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs at full load with nice "
                        + s.nice() + ", lowering its priority to stay unnoticed", List.of("nice=" + s.nice()));
            }
        }
        // config files: opened ones, one named by -c/--config, or well-known names in its cwd
        for (Path cfg : configCandidates(s)) {
            ConfigVerdict v = inspectConfig(cfg);
            boolean opened = s.openPaths().contains(cfg.toString());
            boolean active = opened || t.lastShare > 0 || !conns.isEmpty() || s.cpuTicks() > CONFIG_ACTIVE_TICKS && t.intervals == 0;
            if (v.isMiner() && active) {
                windowFinding(t, "sig.config.miner", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm() + ") "
                        + (opened ? "has open" : "runs next to") + " the miner configuration " + cfg + " (" + String.join(", ", v.hits()) + ")",
                        v.hits());
            }
        }
        // connections to pool ports; a port alone proves nothing, so ask for a process signal too
        for (ProcParsers.TcpConnection c : conns) {
            if (c.state() != ProcParsers.TcpState.ESTABLISHED && c.state() != ProcParsers.TcpState.SYN_SENT) continue;
            if (!rules.poolPorts().contains(c.remotePort())) continue;
            Set<String> groups = groups(s.pid(), false);
            boolean blend = rules.blendPorts().contains(c.remotePort());
            Set<String> strong = new HashSet<>(groups);
            strong.remove("load");
            boolean corroborated = blend ? !strong.isEmpty() : !groups.isEmpty();
            if (corroborated) {
                windowFinding(t, "sig.net.pool-endpoint", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm()
                        + ") is connected to " + c.remote() + ", a mining-pool port, and shows " + String.join(" + ", groups),
                        List.of(c.remote(), String.join("+", groups)));
            } else if (!blend) {
                windowFinding(t, "beh.net.pool-port", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " (" + s.comm()
                        + ") is connected to " + c.remote() + ", a port mining pools use", List.of(c.remote()));
            }
        }
    }

    private List<Path> configCandidates(ProcessSnapshot s) {
        Set<Path> out = new LinkedHashSet<>();
        for (String p : s.openPaths()) {
            if (rules.configFileNames().contains(baseName(p))) out.add(Path.of(p));
        }
        List<String> a = s.cmdline();
        for (int i = 0; i < a.size(); i++) {
            String v = null;
            if ((a.get(i).equals("-c") || a.get(i).equals("--config")) && i + 1 < a.size()) v = a.get(i + 1);
            else if (a.get(i).startsWith("--config=")) v = a.get(i).substring(9);
            if (v != null && !v.isEmpty()) out.add(s.cwd().isEmpty() || v.startsWith("/") ? Path.of(v) : Path.of(s.cwd()).resolve(v));
        }
        if (!s.cwd().isEmpty() && !s.cwd().equals("/") && s.exeAccess() == ProcessSnapshot.Access.OK) {
            for (String n : rules.configFileNames()) out.add(Path.of(s.cwd()).resolve(n));
        }
        return new ArrayList<>(out);
    }

    private record ConfigVerdict(List<String> hits) {
        boolean isMiner() {
            return !hits.isEmpty();
        }
    }

    private ConfigVerdict inspectConfig(Path cfg) {
        String stamp;
        try {
            if (!Files.isRegularFile(cfg)) return new ConfigVerdict(List.of());
            stamp = cfg + "@" + Files.size(cfg) + "@" + Files.getLastModifiedTime(cfg).toMillis();
        } catch (IOException | RuntimeException e) {
            return new ConfigVerdict(List.of());
        }
        ConfigVerdict cached = configCache.get(stamp);
        if (cached != null) return cached;
        byte[] bytes;
        try (var in = Files.newInputStream(cfg)) {
            bytes = in.readNBytes(rules.thresholds().configMaxBytes());
        } catch (IOException e) {
            return new ConfigVerdict(List.of());
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> hits = new ArrayList<>();
        for (List<String> set : rules.configKeySets()) {
            if (set.stream().allMatch(k -> lower.contains(k.toLowerCase(Locale.ROOT)))) hits.add("keys " + String.join("+", set));
        }
        for (Rules.CommandLinePattern p : rules.commandLine()) {
            if (p.id().equals("stratum-url") && p.regex().matcher(text).find()) hits.add("stratum-url");
        }
        for (String d : rules.poolDomains()) if (lower.contains(d)) hits.add("pool-domain:" + d);
        for (Rules.WalletFormat w : rules.wallets()) {
            if (w.check() == Wallets.Check.NONE) continue;
            Matcher m = w.regex().matcher(text);
            while (m.find()) {
                if (Wallets.isValid(m.group(), w.check(), w.versions())) hits.add("wallet " + w.coin() + " " + Wallets.partial(m.group()));
            }
        }
        if (configCache.size() > 4096) configCache.clear();
        ConfigVerdict v = new ConfigVerdict(List.copyOf(new LinkedHashSet<>(hits)));
        configCache.put(stamp, v);
        return v;
    }

    // ---- miner APIs on the listening sockets of processes that already have a finding ----

    private void probeApis(List<ProcessSnapshot> snaps, HostProbe.TcpTable tcp) {
        // Only processes already in question by evidence that counts: a lone weak finding (a process
        // title that differs from its exe: nginx, postgres, php-fpm all do it) or a lone memfd exe
        // would send probes to ordinary services, and postgres, for one, logs every bad startup packet.
        List<Finding> all = List.copyOf(window.values());
        Set<Integer> suspects = new HashSet<>();
        for (Finding f : all) {
            if (f.pid() == 0) continue;
            boolean counts = f.kind() == Finding.Kind.SIGNATURE
                    || (!groupOf(f.ruleId()).equals("weak") && ProcessVerdicts.countsAsSuspect(f, all));
            if (counts) suspects.add(f.pid());
        }
        if (suspects.isEmpty()) return;
        Map<Long, ProcParsers.TcpConnection> listening = new HashMap<>();
        for (ProcParsers.TcpConnection c : tcp.connections()) {
            if (c.state() == ProcParsers.TcpState.LISTEN && c.inode() != 0) listening.put(c.inode(), c);
        }
        Rules.MinerApis apis = rules.minerApis();
        int budget = apis.probesPerCycle();
        for (ProcessSnapshot s : snaps) {
            if (!suspects.contains(s.pid()) || s.pid() == selfPid) continue;
            Tracked t = tracked.get(s.key());
            if (t == null) continue;
            for (long ino : s.socketInodes()) {
                ProcParsers.TcpConnection c = listening.get(ino);
                if (c == null) continue;
                String bound = (c.localAddress().contains(":") ? "[" + c.localAddress() + "]" : c.localAddress()) + ":" + c.localPort();
                if (t.apiProbed.containsKey(bound)) continue;
                Optional<InetAddress> to = LoopbackClient.loopbackFor(c.localAddress());
                if (to.isEmpty()) {
                    log.debug("not probing {} of process {} ({}) for a miner API: it is bound to a specific non-loopback address,"
                            + " and the agent connects to 127.0.0.1 and ::1 only", bound, s.pid(), s.comm());
                    t.apiProbed.put(bound, Optional.empty());
                    continue;
                }
                if (budget <= 0) return; // the rest next cycle
                MinerApiProbe.Result r = MinerApiProbe.probe(apis, to.get(), c.localPort());
                budget -= r.connections();
                t.apiProbed.put(bound, r.kind());
                String at = (to.get().getHostAddress().contains(":") ? "[::1]" : to.get().getHostAddress()) + ":" + c.localPort();
                log.debug("probed {} of process {} ({}) for a miner API: {}", at, s.pid(), s.comm(), r.kind().orElse("no miner answer"));
                if (r.kind().isPresent()) {
                    sticky(t, "sig.api.miner", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm() + ") answers on " + at
                            + " as a " + r.kind().get() + " miner API (asked with " + r.requestId() + ")", List.of(r.kind().get(), at));
                }
            }
        }
    }

    // ---- host-wide ----

    private void analyseHost(HostProbe.HostState h) {
        Rules.Thresholds th = rules.thresholds();
        long pages = Math.max(h.hugePagesTotal(), h.nrHugepages());
        if (pages >= th.hostHugePages()) {
            hostFinding("host.hugepages", "the host reserves " + pages + " huge pages (" + (pages * h.hugePageSizeBytes() >> 20)
                    + " MiB), the reservation RandomX miners make and leave behind", List.of("HugePages_Total=" + h.hugePagesTotal(),
                    "nr_hugepages=" + h.nrHugepages()));
        }
        if (h.ldPreloadPresent() && !h.ldPreloadContent().isBlank()) {
            hostFinding("host.ld-preload", roots.etc().resolve("ld.so.preload") + " preloads " + h.ldPreloadContent()
                    + " into every program, the way process-hiding rootkits work", List.of(h.ldPreloadContent()));
        }
        if (h.msrModuleLoaded() && (h.msrAllowWrites().equalsIgnoreCase("on") || h.msrAllowWrites().equals("1"))) {
            hostFinding("host.msr-writes", "the msr module is loaded with allow_writes=" + h.msrAllowWrites()
                    + ", as XMRig sets it for its RandomX boost", List.of("allow_writes=" + h.msrAllowWrites()));
        }
    }

    private void closeHostWindow() {
        Rules.Thresholds th = rules.thresholds();
        if (hostIntervals >= th.minIntervals() && windowSeconds > 0) {
            double hiddenPct = (windowBusyTicks - windowVisibleTicks) / windowSeconds; // ticks/s = % of one core
            if (hiddenPct >= th.hiddenCpuPercent()) {
                hostFinding("host.hidden-cpu", String.format(Locale.ROOT, "%.0f%% of a core was busy with no visible process to "
                        + "account for it over %.0f s: a hidden process may be running", hiddenPct, windowSeconds),
                        List.of(String.format(Locale.ROOT, "busy=%d ticks, visible=%d ticks", windowBusyTicks, windowVisibleTicks)));
            }
        }
        // readdir can be hooked (libprocesshider), /proc/N lookups by number cannot: compare the two
        Set<Integer> listed = table.listPids();
        int highest = listed.isEmpty() ? 0 : ((TreeSet<Integer>) listed).last();
        // The walk costs ~3 µs of kernel time per pid (~100 ms per window at pid_max 32768, 9 ms per
        // 1 s sample); it is skipped only when the kernel's thread count shows nothing is missing.
        boolean walk = !hiddenPids.isEmpty() || !table.listingAccountsForAllThreads(listed);
        int bound = walk ? (int) Math.min(lastPidMax, (long) highest + 32768) : 0;
        List<Integer> unlisted = new ArrayList<>();
        for (int n = 1; n <= bound; n++) {
            if (!listed.contains(n) && Files.exists(roots.proc().resolve(Integer.toString(n)).resolve("stat"))) {
                if (table.tgidOf(n).orElse(-1) == n) unlisted.add(n);
            }
        }
        if (!unlisted.isEmpty()) {
            Set<Integer> again = table.listPids(); // a process born during the walk is not hidden
            unlisted.removeIf(again::contains);
        }
        hiddenPids.clear();
        hiddenPids.addAll(unlisted);
        if (!unlisted.isEmpty()) {
            hostFinding("host.hidden-pid", "processes " + unlisted + " exist but are missing from the /proc listing: something hides them",
                    unlisted.stream().map(String::valueOf).toList());
        }
    }

    // ---- window ----

    @Override
    public Assessment closeWindow(Instant now) {
        try {
            return doClose(now);
        } catch (RuntimeException e) {
            Assessment a = new Assessment(Verdict.DEGRADED, List.copyOf(window.values()),
                    List.of("detector error while closing the window: " + e + "; the verdict could not be reached"));
            reset();
            return a;
        }
    }

    private Assessment doClose(Instant now) {
        closeHostWindow();
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Allowlist allow = source.allowlist();
        List<Finding> findings = new ArrayList<>();
        for (Finding f : window.values()) {
            Tracked t = f.pid() == 0 ? null : trackedOf(f);
            String sha = f.exeSha256().isEmpty() && t != null ? t.exeSha : f.exeSha256();
            String reason = "";
            if (f.kind() == Finding.Kind.BEHAVIOUR && t != null) reason = allow.reasonFor(t.snap, t.exeSha, today).orElse("");
            findings.add(new Finding(f.ruleId(), f.kind(), f.summary(), f.pid(), f.processName(), f.exePath(), sha, f.user(),
                    f.matched(), f.firstSeenMs(), reason));
        }
        List<String> notes = new ArrayList<>(windowNotes);
        notes.addAll(source.notes());
        source.allowlistPath().ifPresent(p -> notes.addAll(allow.expiryNotes(p.toString(), today)));
        if (scanner.pending() > 0) {
            notes.add(scanner.pending() + " executables are still being scanned (read budget "
                    + (rules.thresholds().exeScanBudgetBytes() >> 20) + " MiB per cycle); they are finished in the next window");
        }
        boolean deg = degraded;
        if (observations == 0) {
            deg = true;
            notes.add("no observation was made in this window: the sampler did not run");
        }

        boolean mining = findings.stream().anyMatch(f -> f.kind() == Finding.Kind.SIGNATURE);
        Map<Integer, Set<String>> groupsByPid = new HashMap<>();
        for (Finding f : findings) {
            if (f.kind() != Finding.Kind.BEHAVIOUR || f.isAllowlisted()) continue;
            String g = groupOf(f.ruleId());
            if (g.equals("weak") || g.equals("network")) continue;
            groupsByPid.computeIfAbsent(f.pid(), k -> new TreeSet<>()).add(g);
        }
        for (var e : groupsByPid.entrySet()) {
            Set<String> g = e.getValue();
            boolean resource = g.contains("load") || g.contains("memory") || g.contains("msr");
            if (g.size() >= 2 && resource) {
                mining = true;
                notes.add("process " + e.getKey() + " shows independent behaviours " + String.join(" + ", g) + ": judged MINING");
            }
        }
        Set<String> host = new HashSet<>();
        for (Finding f : findings) if (f.kind() == Finding.Kind.HOST) host.add(f.ruleId());
        if (host.contains("host.hidden-cpu") && (host.contains("host.ld-preload") || host.contains("host.hidden-pid"))) {
            mining = true;
            notes.add("CPU is burnt by no visible process while processes are hidden: judged MINING");
        }
        boolean suspect = !host.isEmpty() || findings.stream().anyMatch(f -> ProcessVerdicts.countsAsSuspect(f, findings));
        Verdict v = mining ? Verdict.MINING : deg ? Verdict.DEGRADED : suspect ? Verdict.SUSPECT : Verdict.CLEAN;

        reset();
        source.refresh();
        if (!source.rulesHash().equals(activeRulesHash)) applyRules();
        return new Assessment(v, findings, notes);
    }

    private void reset() {
        window.clear();
        windowNotes.clear();
        degraded = false;
        observations = 0;
        windowBusyTicks = 0;
        windowVisibleTicks = 0;
        windowSeconds = 0;
        hostIntervals = 0;
        var it = tracked.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            Tracked t = e.getValue();
            if (t.lastCycle != cycle) {
                it.remove();
                String suffix = "|" + e.getKey().pid() + "|" + e.getKey().startTicks();
                firstSeen.keySet().removeIf(k -> k.endsWith(suffix));
                emitted.removeIf(k -> k.endsWith(suffix));
            } else {
                t.intervals = 0;
                t.busyIntervals = 0;
                t.seenInWindow = false;
            }
        }
    }

    private Tracked trackedOf(Finding f) {
        for (var e : tracked.entrySet()) if (e.getKey().pid() == f.pid()) return e.getValue();
        return null;
    }

    private Set<String> groups(int pid, boolean includeWeak) {
        Set<String> g = new TreeSet<>();
        for (Finding f : window.values()) {
            if (f.pid() != pid || f.kind() != Finding.Kind.BEHAVIOUR) continue;
            String grp = groupOf(f.ruleId());
            if (grp.equals("network") || (grp.equals("weak") && !includeWeak)) continue;
            g.add(grp);
        }
        return g;
    }

    /** Independence groups: findings in one group are facets of one fact and count once. */
    static String groupOf(String ruleId) {
        if (ruleId.startsWith("beh.cpu.")) return "load";
        if (ruleId.equals("beh.exe.location") || ruleId.equals("beh.exe.deleted") || ruleId.equals("beh.exe.memfd")) return "location";
        if (ruleId.equals("beh.disguise.kthread") || ruleId.equals("beh.disguise.name") || ruleId.equals("beh.exe.packed")) return "disguise";
        if (ruleId.equals("beh.hugepages")) return "memory";
        if (ruleId.equals("beh.msr")) return "msr";
        if (ruleId.equals("beh.net.pool-port")) return "network";
        return "weak";
    }

    private void sticky(Tracked t, String ruleId, Finding.Kind kind, String summary, List<String> matched) {
        Finding f = finding(t.snap, ruleId, kind, summary, matched);
        t.sticky.add(f);
        window.putIfAbsent(key(f), f);
    }

    private void windowFinding(Tracked t, String ruleId, Finding.Kind kind, String summary, List<String> matched) {
        Finding f = finding(t.snap, ruleId, kind, summary, matched);
        window.putIfAbsent(key(f), f);
    }

    private void hostFinding(String ruleId, String summary, List<String> matched) {
        String k = ruleId + "|0|0";
        long first = firstSeen.computeIfAbsent(k, x -> clock.millis());
        window.putIfAbsent(k, new Finding(ruleId, Finding.Kind.HOST, summary, 0, "", "", "", "", matched, first, ""));
    }

    private Finding finding(ProcessSnapshot s, String ruleId, Finding.Kind kind, String summary, List<String> matched) {
        String k = ruleId + "|" + s.pid() + "|" + s.startTicks();
        long first = firstSeen.computeIfAbsent(k, x -> clock.millis());
        Tracked t = tracked.get(s.key());
        return new Finding(ruleId, kind, summary, s.pid(), s.comm(), s.exePath(), t == null ? "" : t.exeSha, s.user(),
                matched, first, "");
    }

    private String key(Finding f) {
        if (f.pid() == 0) return f.ruleId() + "|0|0";
        for (var e : tracked.entrySet()) {
            if (e.getKey().pid() == f.pid()) return f.ruleId() + "|" + f.pid() + "|" + e.getKey().startTicks();
        }
        return f.ruleId() + "|" + f.pid() + "|?";
    }

    private static String baseName(String p) {
        int slash = p.lastIndexOf('/');
        return slash >= 0 ? p.substring(slash + 1) : p;
    }

    /** Per-process state that outlives one cycle. */
    private static final class Tracked {
        ProcessSnapshot snap;
        boolean analysed;
        boolean exeFinal;
        String exeSha = "";
        long prevTicks = -1;
        long prevChildTicks;
        int intervals;
        int busyIntervals;
        double lastShare;
        long lastCycle;
        boolean seenInWindow;
        final List<Finding> sticky = new ArrayList<>();
        /** bound address:port → the miner API kind that answered, empty when none did: each port is asked once. */
        final Map<String, Optional<String>> apiProbed = new HashMap<>();
    }
}
