package io.assay.agent.detect;

import io.assay.agent.detect.judge.CloserLook;
import io.assay.agent.detect.judge.MemoryScan;
import io.assay.agent.detect.judge.SourceNote;
import io.assay.agent.detect.judge.Tick;
import io.assay.agent.evidence.AhoCorasick;
import io.assay.agent.evidence.ExeScanner;
import io.assay.agent.evidence.HostProbe;
import io.assay.agent.evidence.LoopbackClient;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessListing;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.agent.evidence.ProcessTable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every read the detector makes of this host, and nothing else: {@code /proc} (processes, TCP
 * tables, host state), executables, candidate config files, the hidden-pid walk, and the closer
 * looks at processes in question (miner API probes on loopback). Each call returns immutable
 * observations for the {@link io.assay.agent.detect.judge.Judge}; what could not be read becomes a
 * {@link SourceNote}, never an exception.
 *
 * <p>Keeps only what saves reading twice: which executables are scanned, which ports were asked,
 * config file texts by version, pids found hidden. Confined to the agent's sampling thread.
 */
public final class HostSources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostSources.class);
    private static final int MAX_CACHED_CONFIGS = 4096;

    private final HostDetector.Roots roots;
    private final ProcessTable table;
    private final HostProbe probe;
    /** Listening sockets are probed only on the live host: a recorded tree's ports are another host's. */
    private final boolean liveHost;
    private final long selfPid = ProcessHandle.current().pid();
    private Rules rules;
    private ExeScanner scanner;
    private List<String> scanPatterns = List.of();
    private final Set<ProcessSnapshot.Key> exeDone = new HashSet<>();
    /** bound address:port per process → asked already (each port is asked once per process). */
    private final Map<ProcessSnapshot.Key, Set<String>> apiProbed = new HashMap<>();
    private final Map<String, String> configTexts = new HashMap<>();
    private final Set<Integer> hiddenPids = new TreeSet<>();
    private int lastPidMax = 32768;
    /** The latest tick's host state; exec looks carry it (the judge reads no host state from them). */
    private HostProbe.HostState lastHost = new HostProbe.HostState(Optional.empty(), 0, 0, 0, 0, false, "", false, "", 32768);
    private ProcessListing lastListing = ProcessListing.NONE;
    private HostProbe.TcpTable lastTcp = new HostProbe.TcpTable(List.of(), false);
    private List<ProcessSnapshot> lastSnaps = List.of();
    private Map<Integer, List<ProcParsers.TcpConnection>> lastConns = Map.of();
    private final WireSource wire;
    private final MemorySource memory;
    /** Set by the self-watch (another thread) while the agent is over its budget: see {@link #shedContentScans}. */
    private volatile boolean contentScansShed;
    /** Processes whose executable waited, and ticks whose memory looks were skipped, in this window because content scans were shed. */
    private final Set<ProcessSnapshot.Key> shedExeThisWindow = new HashSet<>();
    private int shedMemoryThisWindow;

    public HostSources(HostDetector.Roots roots, Rules rules) {
        this.roots = roots;
        this.table = new ProcessTable(roots.proc(), roots.etc());
        this.probe = new HostProbe(table, roots.sys(), roots.etc());
        this.liveHost = roots.proc().toAbsolutePath().normalize().equals(Path.of("/proc"));
        this.wire = new WireSource(roots.sys(), rules.sources());
        this.memory = new MemorySource(roots.proc(), rules);
        useRules(rules);
    }

    /** Scans with new rules from now on: executables are scanned again, ports asked again. */
    public void useRules(Rules r) {
        this.rules = r;
        List<String> pats = new ArrayList<>();
        for (Rules.BinaryString b : r.binaryStrings()) pats.add(b.text());
        pats.addAll(r.packerMarkers());
        this.scanPatterns = List.copyOf(pats);
        this.scanner = new ExeScanner(new AhoCorasick(pats), r.thresholds().exeScanMaxBytes());
        exeDone.clear();
        apiProbed.clear();
        wire.useRules(r.sources());
        memory.useRules(r);
    }

    /** Bytes of process memory read, and CPU spent scanning it, since start (the bench's cost figures). */
    public long memoryBytesRead() {
        return memory.bytesRead();
    }

    public long memoryCpuNanos() {
        return memory.cpuNanos();
    }

    /** Payload bytes the traffic samples saw, and connections sampled, since start (the bench's cost figures). */
    public long wireBytesSeen() {
        return wire.bytesSeen();
    }

    public int wireFlowsSampled() {
        return wire.flowsStarted();
    }

    public long wireCpuNanos() {
        return wire.cpuNanos();
    }

    public long exeBytesRead() {
        return scanner.bytesRead();
    }

    public long procBytesRead() {
        return table.bytesRead();
    }

    public ProcessListing lastListing() {
        return lastListing;
    }

    /**
     * Sheds (or restores) the content scans, the detector's optional work: reading executables for
     * miner strings and the memory of processes in question. While shed, a process whose executable
     * was not scanned yet stays waiting (it is scanned once restored, if it still runs), and the
     * window says how many waited; command lines, connections, hardware and behaviour are still
     * judged every tick. Thread-safe: the self-watch calls it from its own thread.
     */
    public void shedContentScans(boolean shed) {
        contentScansShed = shed;
    }

    /** Reads this tick's processes, connections, host state, executables (within budget) and config candidates. */
    public Tick read(Instant now) {
        lastListing = new ProcessListing(now, 0, List.of());
        Rules.Thresholds th = rules.thresholds();
        List<SourceNote> notes = new ArrayList<>();
        scanner.startCycle(th.exeScanBudgetBytes());
        HostProbe.HostState host = probe.read();
        lastHost = host;
        lastPidMax = host.pidMax();
        if (host.cpu().isEmpty()) {
            notes.add(SourceNote.degrading("cannot read " + roots.proc().resolve("stat") + ": hidden CPU cannot be measured"));
        }
        Set<Integer> listed = table.listPids();
        Set<Integer> pids = new TreeSet<>(listed);
        if (pids.isEmpty()) {
            notes.add(SourceNote.degrading("cannot list processes under " + roots.proc() + ": is procfs mounted there?"));
        }
        pids.addAll(hiddenPids);
        List<ProcessSnapshot> snaps = new ArrayList<>();
        for (int pid : pids) table.read(pid).ifPresent(snaps::add);
        List<ProcessSnapshot> shown = snaps;
        if (!hiddenPids.isEmpty()) shown = snaps.stream().filter(s -> listed.contains(s.pid())).toList();
        lastListing = new ProcessListing(now, host.bootTimeSeconds(), shown);
        lastSnaps = List.copyOf(snaps);
        HostProbe.TcpTable tcp = probe.readTcp();
        lastTcp = tcp;
        if (!tcp.readable()) {
            notes.add(SourceNote.degrading("cannot read " + roots.proc().resolve("net/tcp") + ": pool connections are not visible"));
        }
        Map<Long, Integer> inodeOwner = new HashMap<>();
        for (ProcessSnapshot s : snaps) for (long ino : s.socketInodes()) inodeOwner.put(ino, s.pid());
        Map<Integer, List<ProcParsers.TcpConnection>> conns = new HashMap<>();
        for (ProcParsers.TcpConnection c : tcp.connections()) {
            Integer owner = inodeOwner.get(c.inode());
            if (owner != null && c.inode() != 0) conns.computeIfAbsent(owner, k -> new ArrayList<>()).add(c);
        }

        Map<String, Integer> deniedExeByUser = new LinkedHashMap<>();
        int deniedExe = 0;
        int deniedExample = 0;
        int deniedFd = 0;
        List<Tick.ExeScan> scans = new ArrayList<>();
        List<Tick.ConfigFile> configs = new ArrayList<>();
        Set<ProcessSnapshot.Key> live = new HashSet<>();
        for (ProcessSnapshot s : snaps) {
            live.add(s.key());
            if (s.exeAccess() == ProcessSnapshot.Access.DENIED) {
                deniedExe++;
                deniedExample = s.pid();
                deniedExeByUser.merge(s.user().isEmpty() ? "?" : s.user(), 1, Integer::sum);
            }
            if (!s.fdReadable()) deniedFd++;
            if (!exeDone.contains(s.key())) {
                if (contentScansShed) shedExeThisWindow.add(s.key());
                else scanExe(s, notes).ifPresent(scans::add);
            }
            for (Path cfg : configCandidates(s)) readConfig(s, cfg).ifPresent(configs::add);
        }
        exeDone.retainAll(live);
        apiProbed.keySet().retainAll(live);
        if (deniedExe > 0 || deniedFd > 0) {
            boolean root = effectiveUid() == 0;
            if (deniedExe > 0) notes.add(SourceNote.degrading(deniedExeNote(deniedExe, deniedExeByUser.keySet(), deniedExample, root)));
            if (deniedFd > 0) {
                notes.add(SourceNote.degrading("cannot list /proc/PID/fd of " + deniedFd
                        + " processes: their connections and open files are not visible;"
                        + (root ? " the agent runs as root, so they are protected or sandboxed processes hidden even from root"
                                : " run as root or with CAP_SYS_PTRACE+CAP_DAC_READ_SEARCH")));
            }
        }
        lastConns = conns;
        return new Tick(now, host, snaps, conns, scans, configs, notes);
    }

    /**
     * Reads just the processes {@code pids} (they exec'd a moment ago: the exec events' look), with
     * their connections, executables and config candidates, as {@link #read} reads every process.
     * A process that exec'd is a new program under an old key, so its executable is scanned again.
     * Host state is not read again ({@code host} is the latest tick's), nor are processes listed;
     * pids gone by now are skipped. The executable read budget is a quarter of a tick's, per look.
     */
    public Tick readNew(Instant now, Set<Integer> pids) {
        List<SourceNote> notes = new ArrayList<>();
        scanner.startCycle(rules.thresholds().exeScanBudgetBytes() / 4);
        List<ProcessSnapshot> snaps = new ArrayList<>();
        for (int pid : new TreeSet<>(pids)) {
            if (pid == selfPid) continue;
            table.read(pid).ifPresent(snaps::add);
        }
        Map<Integer, List<ProcParsers.TcpConnection>> conns = new HashMap<>();
        List<Tick.ExeScan> scans = new ArrayList<>();
        List<Tick.ConfigFile> configs = new ArrayList<>();
        if (!snaps.isEmpty()) {
            Map<Long, Integer> inodeOwner = new HashMap<>();
            for (ProcessSnapshot s : snaps) for (long ino : s.socketInodes()) inodeOwner.put(ino, s.pid());
            if (!inodeOwner.isEmpty()) {
                for (ProcParsers.TcpConnection c : probe.readTcp().connections()) {
                    Integer owner = inodeOwner.get(c.inode());
                    if (owner != null && c.inode() != 0) conns.computeIfAbsent(owner, k -> new ArrayList<>()).add(c);
                }
            }
            for (ProcessSnapshot s : snaps) {
                exeDone.remove(s.key());
                scanExe(s, notes).ifPresent(scans::add);
                for (Path cfg : configCandidates(s)) readConfig(s, cfg).ifPresent(configs::add);
            }
        }
        return new Tick(now, lastHost, snaps, conns, scans, configs, notes);
    }

    /**
     * Looks closer at the processes in question: asks their listening sockets on loopback whether
     * they are a miner's API (within the rules' connection budget; each port once per process), and
     * samples their TCP connections (within {@code sources.capture}). Only on the live host: a
     * recorded tree's sockets and connections are another host's.
     */
    public CloserLook lookCloser(Instant now, Set<ProcessSnapshot.Key> inQuestion) {
        if (!liveHost) return CloserLook.none(now);
        List<CloserLook.ApiAnswer> answers = new ArrayList<>();
        List<SourceNote> notes = new ArrayList<>();
        if (rules.minerApis().enabled() && !inQuestion.isEmpty()) probeApis(inQuestion, answers);
        Set<ProcessSnapshot.Key> others = new HashSet<>(inQuestion);
        others.removeIf(k -> k.pid() == selfPid);
        var samples = wire.look(others, lastSnaps, lastConns, notes);
        List<MemoryScan> scans = List.of();
        if (!contentScansShed) scans = memory.look(others, lastSnaps, notes);
        else if (!others.isEmpty()) shedMemoryThisWindow++;
        return new CloserLook(now, answers, samples, scans, notes);
    }

    @Override
    public void close() {
        wire.close();
    }

    /**
     * Ends the window for the sources with per-window budgets; returns the notes due: executables
     * still waiting for read budget, what memory scans cost.
     */
    public List<SourceNote> closeWindow() {
        List<SourceNote> notes = new ArrayList<>(memory.closeWindow());
        if (!shedExeThisWindow.isEmpty() || shedMemoryThisWindow > 0) {
            // Informational, as the read budget's note below: what was not read waits for a later window, the window is
            // judged on every other signal, and the report says what it did not read. (The issue calls this optional work.)
            notes.add(SourceNote.informational("content scans shed by the self-watch (the agent was over its own budget):"
                    + " the executables of " + shedExeThisWindow.size() + " new process(es) were not read, and the memory of"
                    + " processes in question was not looked at on " + shedMemoryThisWindow + " tick(s), in this window;"
                    + " both are done once the agent is back within budget"));
        }
        shedExeThisWindow.clear();
        shedMemoryThisWindow = 0;
        if (scanner.pending() > 0) {
            notes.add(SourceNote.informational(scanner.pending() + " executables are still being scanned (read budget "
                    + (rules.thresholds().exeScanBudgetBytes() >> 20) + " MiB per cycle); they are finished in the next window"));
        }
        return notes;
    }

    /**
     * The note for processes whose {@code /proc/PID/exe} could not be read. Advice to run as root is
     * wrong when the agent is root already: then the kernel hides the link from root too (a protected
     * or sandboxed process, e.g. pid 1 on some VMs), and the note says so.
     */
    static String deniedExeNote(int count, Collection<String> owners, int examplePid, boolean agentIsRoot) {
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

    private Optional<Tick.ExeScan> scanExe(ProcessSnapshot s, List<SourceNote> notes) {
        if (s.exeAccess() != ProcessSnapshot.Access.OK) {
            exeDone.add(s.key());
            return Optional.empty();
        }
        Path exe = roots.proc().resolve(Integer.toString(s.pid())).resolve("exe");
        Optional<ExeScanner.FileKey> key = ExeScanner.keyOf(exe);
        if (key.isEmpty()) {
            exeDone.add(s.key());
            return Optional.empty();
        }
        Optional<ExeScanner.Result> r;
        try {
            r = scanner.scan(exe, key.get());
        } catch (AccessDeniedException e) {
            exeDone.add(s.key());
            notes.add(SourceNote.degrading("cannot read the executable of process " + s.pid() + " (" + s.exePath()
                    + "): permission denied; run as root or with CAP_DAC_READ_SEARCH"));
            return Optional.empty();
        } catch (IOException e) {
            exeDone.add(s.key()); // the process exited while we read it
            return Optional.empty();
        }
        if (r.isEmpty()) return Optional.empty(); // budget spent; resumed next cycle
        exeDone.add(s.key());
        BitSet found = r.get().found();
        Set<String> texts = new HashSet<>();
        for (int i = found.nextSetBit(0); i >= 0; i = found.nextSetBit(i + 1)) texts.add(scanPatterns.get(i));
        return Optional.of(new Tick.ExeScan(s.key(), r.get().sha256(), texts));
    }

    /** Config files: opened ones, one named by -c/--config, or well-known names in its cwd. */
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

    private Optional<Tick.ConfigFile> readConfig(ProcessSnapshot s, Path cfg) {
        String stamp;
        try {
            if (!Files.isRegularFile(cfg)) return Optional.empty();
            stamp = cfg + "@" + Files.size(cfg) + "@" + Files.getLastModifiedTime(cfg).toMillis();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        String text = configTexts.get(stamp);
        if (text == null) {
            byte[] bytes;
            try (var in = Files.newInputStream(cfg)) {
                bytes = in.readNBytes(rules.thresholds().configMaxBytes());
            } catch (IOException e) {
                return Optional.empty();
            }
            text = new String(bytes, StandardCharsets.UTF_8);
            if (configTexts.size() > MAX_CACHED_CONFIGS) configTexts.clear();
            configTexts.put(stamp, text);
        }
        return Optional.of(new Tick.ConfigFile(s.key(), cfg.toString(), stamp, text, s.openPaths().contains(cfg.toString())));
    }

    private void probeApis(Set<ProcessSnapshot.Key> inQuestion, List<CloserLook.ApiAnswer> answers) {
        Map<Long, ProcParsers.TcpConnection> listening = new HashMap<>();
        for (ProcParsers.TcpConnection c : lastTcp.connections()) {
            if (c.state() == ProcParsers.TcpState.LISTEN && c.inode() != 0) listening.put(c.inode(), c);
        }
        Rules.MinerApis apis = rules.minerApis();
        int budget = apis.probesPerCycle();
        for (ProcessSnapshot s : lastSnaps) {
            if (!inQuestion.contains(s.key()) || s.pid() == selfPid) continue;
            Set<String> asked = apiProbed.computeIfAbsent(s.key(), k -> new HashSet<>());
            for (long ino : s.socketInodes()) {
                ProcParsers.TcpConnection c = listening.get(ino);
                if (c == null) continue;
                String bound = (c.localAddress().contains(":") ? "[" + c.localAddress() + "]" : c.localAddress()) + ":" + c.localPort();
                if (asked.contains(bound)) continue;
                Optional<InetAddress> to = LoopbackClient.loopbackFor(c.localAddress());
                if (to.isEmpty()) {
                    log.debug("not probing {} of process {} ({}) for a miner API: it is bound to a specific non-loopback address,"
                            + " and the agent connects to 127.0.0.1 and ::1 only", bound, s.pid(), s.comm());
                    asked.add(bound);
                    continue;
                }
                if (budget <= 0) return; // the rest next cycle
                MinerApiProbe.Result r = MinerApiProbe.probe(apis, to.get(), c.localPort());
                budget -= r.connections();
                asked.add(bound);
                String at = (to.get().getHostAddress().contains(":") ? "[::1]" : to.get().getHostAddress()) + ":" + c.localPort();
                log.debug("probed {} of process {} ({}) for a miner API: {}", at, s.pid(), s.comm(), r.kind().orElse("no miner answer"));
                r.kind().ifPresent(kind -> answers.add(new CloserLook.ApiAnswer(s.key(), at, kind, r.requestId())));
            }
        }
    }

    /**
     * Pids reachable by number but missing from the {@code /proc} listing (readdir can be hooked,
     * as libprocesshider does; lookups by number cannot). They are read on every tick from now on.
     */
    public List<Integer> walkHiddenPids() {
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
        return List.copyOf(unlisted);
    }

    private static String baseName(String p) {
        int slash = p.lastIndexOf('/');
        return slash >= 0 ? p.substring(slash + 1) : p;
    }
}
