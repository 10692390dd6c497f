package io.assay.agent.detect.judge;

import static java.util.Objects.requireNonNull;

import io.assay.agent.detect.Allowlist;
import io.assay.agent.detect.Assessment;
import io.assay.agent.detect.Rules;
import io.assay.agent.detect.Wallets;
import io.assay.agent.evidence.HostProbe;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pure judge: turns the observations of a window plus the {@link Rules} into findings and one
 * verdict (see {@code io.assay.agent.detect}'s package documentation for how). No I/O, no clock:
 * every instant comes with an observation, and all state lives in the caller's {@link Window}.
 *
 * <p>Per tick: {@link #observe} with what the sources read, {@link #inQuestion} to learn which
 * processes deserve a closer look, {@link #observeCloser} with what that look found; at the
 * window's end {@link #close}. The verdict itself is {@link Verdicts}, which {@code scan}, the
 * daemon and the report all reach through here.
 *
 * <p>Immutable and thread-safe; a {@link Window} is not.
 */
public final class Judge {
    /** Compiled once: it is checked against every open file of every process on every tick. */
    private static final Pattern MSR_DEVICE = Pattern.compile("/dev/cpu/\\d+/msr");
    private static final long CONFIG_ACTIVE_TICKS = 1;

    private final Rules rules;

    public Judge(Rules rules) {
        this.rules = requireNonNull(rules, "rules");
    }

    public Rules rules() {
        return rules;
    }

    /**
     * Adds one tick's observations to the window.
     *
     * @return signature findings first seen now: alone they make the window {@code MINING}
     */
    public List<Finding> observe(Window w, Tick tick) {
        w.cycle++;
        w.observations++;
        Instant now = tick.at();
        Rules.Thresholds th = rules.thresholds();
        for (SourceNote n : tick.notes()) note(w, n);
        long boot = tick.host().bootTimeSeconds();
        double elapsed = w.prevAt == null ? 0 : Duration.between(w.prevAt, now).toMillis() / 1000.0;
        long visible = 0;
        for (ProcessSnapshot s : tick.processes()) {
            Window.Proc t = w.procs.get(s.key());
            boolean isNew = t == null;
            if (isNew) {
                t = new Window.Proc(s);
                w.procs.put(s.key(), t);
            }
            if (!isNew && elapsed > 0 && t.prevTicks >= 0) {
                long d = Math.max(0, s.cpuTicks() - t.prevTicks);
                visible += d + Math.max(0, s.childTicks() - t.prevChildTicks);
                double share = d / (elapsed * ProcParsers.TICKS_PER_SECOND) * 100.0;
                t.intervals++;
                if (share >= th.cpuSustainedPercent()) t.busyIntervals++;
                t.lastShare = share;
            } else if ((isNew || t.prevTicks < 0) && w.prevAt != null && startedAfter(s, w.prevAt, boot)) {
                // born in this interval (first seen now, or by an exec look since the last tick): all its time is in it
                visible += s.cpuTicks() + s.childTicks();
            }
            t.prevTicks = s.cpuTicks();
            t.prevChildTicks = s.childTicks();
            t.snap = s;
            t.lastCycle = w.cycle;
            for (Finding f : t.sticky) w.findings.putIfAbsent(key(f, s.key()), f);
            if (!t.analysed) {
                analyseStatic(w, t, now);
                t.analysed = true;
            }
        }
        judgeEvidence(w, tick, now);
        if (tick.host().cpu().isPresent()) {
            if (w.prevCpu.isPresent() && elapsed > 0) {
                w.busyTicks += Math.max(0, tick.host().cpu().get().busy() - w.prevCpu.get().busy());
                w.visibleTicks += visible;
                w.seconds += elapsed;
                w.hostIntervals++;
            }
        }
        w.prevCpu = tick.host().cpu();
        analyseHost(w, tick.host(), now);
        w.prevAt = now;
        return fresh(w);
    }

    /**
     * Adds a look at processes that exec'd a moment ago (the exec events' out-of-cycle look, read by
     * the same sources as a tick but for these processes only): their static findings, executable,
     * configuration files and connections are judged exactly as on a tick. It is not a tick: CPU
     * shares, the host's accounting and the window's cycle are left to the periodic ticks (a process
     * seen here first has its CPU counted from the next tick on, all of it when it started after the
     * previous tick). A process already known under the same key that now runs another program or
     * command line (it exec'd) is judged afresh: the old program's static findings do not carry over.
     * The processes count as seen in the current cycle, so they are in question and outlive a window
     * that closes before the next tick.
     *
     * @return signature findings first seen now: alone they make the window {@code MINING}
     */
    public List<Finding> observeNew(Window w, Tick look) {
        Instant now = look.at();
        for (SourceNote n : look.notes()) note(w, n);
        for (ProcessSnapshot s : look.processes()) {
            Window.Proc t = w.procs.get(s.key());
            if (t == null) {
                t = new Window.Proc(s);
                w.procs.put(s.key(), t);
            } else if (!t.snap.exePath().equals(s.exePath()) || !t.snap.cmdline().equals(s.cmdline())) {
                t.analysed = false;
                t.sticky.clear();
                t.exeSha = "";
            }
            t.snap = s;
            t.lastCycle = w.cycle;
            for (Finding f : t.sticky) w.findings.putIfAbsent(key(f, s.key()), f);
            if (!t.analysed) {
                analyseStatic(w, t, now);
                t.analysed = true;
            }
        }
        judgeEvidence(w, look, now);
        return fresh(w);
    }

    /** Executables, connections and configuration files the tick or look read, judged for its processes (a tick and a look alike). */
    private void judgeEvidence(Window w, Tick tick, Instant now) {
        for (Tick.ExeScan e : tick.exeScans()) {
            Window.Proc t = w.procs.get(e.process());
            if (t != null) judgeExe(w, t, e, now);
        }
        for (ProcessSnapshot s : tick.processes()) {
            analyseDynamic(w, w.procs.get(s.key()), tick.connections().getOrDefault(s.pid(), List.of()), now);
        }
        for (Tick.ConfigFile c : tick.configs()) {
            Window.Proc t = w.procs.get(c.process());
            if (t != null) judgeConfig(w, t, c, !tick.connections().getOrDefault(c.process().pid(), List.of()).isEmpty(), now);
        }
    }

    /**
     * The processes worth a closer look (a miner API probe, a traffic capture, a memory scan): those
     * with a signature or with evidence that counts. A lone weak finding (a process title that
     * differs from its exe: nginx, postgres and php-fpm all do it) or a lone memfd exe does not put
     * a process in question, or ordinary services would be probed and read.
     */
    public Set<ProcessSnapshot.Key> inQuestion(Window w) {
        List<Finding> all = List.copyOf(w.findings.values());
        Set<Integer> pids = new HashSet<>();
        for (Finding f : all) {
            if (f.pid() == 0) continue;
            boolean counts = f.kind() == Finding.Kind.SIGNATURE
                    || (!Verdicts.groupOf(f.ruleId()).equals("weak") && Verdicts.countsAsSuspect(f, all));
            if (counts) pids.add(f.pid());
        }
        Set<ProcessSnapshot.Key> out = new HashSet<>();
        w.procs.forEach((k, p) -> {
            if (p.lastCycle == w.cycle && pids.contains(k.pid())) out.add(k);
        });
        return out;
    }

    /**
     * Adds one tick's hardware observations (GPU use, miner APIs, USB miners) to the window, after
     * {@link #observe} of the same tick (whose processes and connections they refer to).
     *
     * @return signature findings first seen now
     */
    public List<Finding> observeHardware(Window w, Tick tick, HardwareTick hw) {
        HardwareJudge.observe(rules, w, tick, hw);
        return fresh(w);
    }

    /** Adds what a closer look at the processes in question found; returns new signature findings. */
    public List<Finding> observeCloser(Window w, CloserLook look) {
        for (SourceNote n : look.notes()) note(w, n);
        for (CloserLook.ApiAnswer a : look.apiAnswers()) {
            Window.Proc t = w.procs.get(a.process());
            if (t == null) continue;
            ProcessSnapshot s = t.snap;
            sticky(w, t, "sig.api.miner", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm() + ") answers on " + a.at()
                    + " as a " + a.kind() + " miner API (asked with " + a.requestId() + ")", List.of(a.kind(), a.at()), look.at());
        }
        for (WireSample ws : look.wire()) {
            Window.Proc t = w.procs.get(ws.process());
            if (t != null) judgeWire(w, t, ws, look.at());
        }
        for (MemoryScan m : look.memory()) {
            Window.Proc t = w.procs.get(m.process());
            if (t != null) judgeMemory(w, t, m, look.at());
        }
        return fresh(w);
    }

    /**
     * What a packed or string-encoding miner must hold decoded to run: miner code strings and stratum
     * request templates (weights against {@code binaryThreshold}, as for executables), or a wallet with
     * a valid checksum. Only pattern names and a short wallet excerpt go into the finding.
     */
    private void judgeMemory(Window w, Window.Proc t, MemoryScan m, Instant now) {
        ProcessSnapshot s = t.snap;
        int score = 0;
        List<String> hits = new ArrayList<>();
        List<Rules.BinaryString> all = new ArrayList<>(rules.binaryStrings());
        all.addAll(rules.stratum().memoryStrings());
        for (Rules.BinaryString b : all) {
            if (m.found().contains(b.text()) && !hits.contains(b.text())) {
                score += b.weight();
                hits.add(b.text());
            }
        }
        if (score >= rules.binaryThreshold()) {
            sticky(w, t, "sig.mem.miner-strings", Finding.Kind.SIGNATURE, "the memory of process " + s.pid() + " (" + s.comm()
                    + ") holds miner strings its executable does not show: " + String.join(", ", hits), hits, now);
        }
        List<String> wallets = new ArrayList<>();
        for (String c : m.walletCandidates()) {
            for (Rules.WalletFormat wf : rules.wallets()) {
                if (wf.check() != Wallets.Check.NONE && wf.regex().matcher(c).matches() && Wallets.isValid(c, wf.check(), wf.versions())) {
                    wallets.add(wf.coin() + " " + Wallets.partial(c));
                    break;
                }
            }
        }
        if (!wallets.isEmpty()) {
            sticky(w, t, "sig.mem.wallet", Finding.Kind.SIGNATURE, "the memory of process " + s.pid() + " (" + s.comm()
                    + ") holds a checksum-valid wallet address", wallets, now);
        }
    }

    /** A JSON-RPC method name; the lines are JSON objects cut at 1 KiB, so a regex suffices to name it. */
    private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([^\"]{1,64})\"");

    /**
     * Stratum is a signature on any port: a method that only stratum uses, or a Monero-style
     * message with its keys, in either direction. TLS hides the content: its shape (a long-lived,
     * low-volume flow with pushes from the remote) is kept as evidence that corroborates only, and the
     * process is judged by its other signals.
     */
    private void judgeWire(Window w, Window.Proc t, WireSample ws, Instant now) {
        ProcessSnapshot s = t.snap;
        Set<String> seen = new LinkedHashSet<>();
        for (String line : ws.linesToRemote()) stratumMessage(line).ifPresent(m -> seen.add(m + " (sent)"));
        for (String line : ws.linesFromRemote()) stratumMessage(line).ifPresent(m -> seen.add(m + " (received)"));
        if (!seen.isEmpty()) {
            List<String> matched = new ArrayList<>();
            matched.add(ws.remote());
            matched.addAll(seen);
            sticky(w, t, "sig.net.stratum", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm() + ") speaks stratum with "
                    + ws.remote() + ", read from its traffic: " + String.join(", ", seen), matched, now);
        } else if (ws.encrypted() && ws.packetsFromRemote() >= 2 && ws.packetsToRemote() >= 1
                && ws.bytesFromRemote() / ws.packetsFromRemote() < 2048) {
            windowFinding(w, t, "beh.net.encrypted-flow", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " (" + s.comm()
                    + ") holds an encrypted connection to " + ws.remote() + " with small pushes both ways (" + ws.packetsFromRemote()
                    + " received, " + ws.packetsToRemote() + " sent in " + String.format(Locale.ROOT, "%.0f", ws.seconds())
                    + " s), the shape of a pool session; its content cannot be read, so the process is judged by its other signals",
                    List.of(ws.remote(), "in=" + ws.packetsFromRemote(), "out=" + ws.packetsToRemote()), now);
        }
    }

    private Optional<String> stratumMessage(String line) {
        Matcher m = METHOD.matcher(line);
        Rules.Stratum st = rules.stratum();
        if (m.find()) {
            String method = m.group(1);
            if (st.methods().contains(method)) return Optional.of(method);
            List<String> keys = st.keyedMethods().get(method);
            if (keys != null && keys.stream().allMatch(k -> line.contains("\"" + k + "\""))) return Optional.of(method);
            return Optional.empty();
        }
        // a Monero-style pool answers the login with the first job inside the result
        List<String> job = st.keyedMethods().get("job");
        if (job != null && line.contains("\"result\"") && job.stream().allMatch(k -> line.contains("\"" + k + "\""))) {
            return Optional.of("job");
        }
        return Optional.empty();
    }

    /**
     * Ends the window: hidden CPU and hidden pids, the allowlist, notes, and the verdict. The window
     * starts afresh.
     *
     * @param hiddenPids pids reachable by number but missing from the {@code /proc} listing, from the sources' walk
     * @param allowlistPath where the allowlist came from (for its expiry notes), "" when there is none
     * @param extraNotes notes of the rule and allowlist loading
     */
    public Assessment close(Window w, Instant at, List<Integer> hiddenPids, Allowlist allow, String allowlistPath,
            List<SourceNote> extraNotes) {
        closeHost(w, hiddenPids, at);
        LocalDate today = LocalDate.ofInstant(at, ZoneOffset.UTC);
        List<Finding> findings = new ArrayList<>();
        for (var e : w.findings.entrySet()) {
            Finding f = e.getValue();
            Window.Proc t = f.pid() == 0 ? null : procOf(w, e.getKey());
            String sha = f.exeSha256().isEmpty() && t != null ? t.exeSha : f.exeSha256();
            String reason = "";
            if (f.kind() == Finding.Kind.BEHAVIOUR && t != null) reason = allow.reasonFor(t.snap, t.exeSha, today).orElse("");
            findings.add(new Finding(f.ruleId(), f.kind(), f.summary(), f.pid(), f.processName(), f.exePath(), sha, f.user(),
                    f.matched(), f.firstSeenMs(), reason));
        }
        for (SourceNote n : extraNotes) note(w, n);
        List<String> notes = new ArrayList<>(w.notes);
        if (!allowlistPath.isEmpty()) notes.addAll(allow.expiryNotes(allowlistPath, today));
        boolean degraded = w.degraded;
        if (w.observations == 0) {
            degraded = true;
            notes.add("no observation was made in this window: the sampler did not run");
        }
        Verdicts.Judgement j = Verdicts.judge(findings, degraded);
        notes.addAll(j.reasons());
        w.reset();
        return new Assessment(j.verdict(), findings, notes);
    }

    // ---- per process, once per process lifetime ----

    private void analyseStatic(Window w, Window.Proc t, Instant now) {
        ProcessSnapshot s = t.snap;
        Rules.Thresholds th = rules.thresholds();
        String argv0 = s.cmdline().isEmpty() ? "" : s.cmdline().get(0);
        String argv0Base = baseName(argv0.split(" ")[0]);
        String exeName = s.exeName();
        for (String candidate : List.of(exeName, s.comm(), argv0Base)) {
            String n = candidate.toLowerCase(Locale.ROOT);
            for (String miner : rules.minerNames()) {
                if (n.equals(miner) || (n.startsWith(miner) && n.length() > miner.length() && "-_.".indexOf(n.charAt(miner.length())) >= 0)) {
                    sticky(w, t, "sig.name.miner", Finding.Kind.SIGNATURE,
                            "process " + s.pid() + " runs a program named like the miner \"" + miner + "\"", List.of(candidate), now);
                    break;
                }
            }
        }
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
            for (Rules.WalletFormat wf : rules.wallets()) {
                Matcher m = wf.regex().matcher(cmd);
                while (m.find()) {
                    if (wf.check() == Wallets.Check.NONE) {
                        score += 1;
                        hits.add("wallet-like:" + wf.coin() + " " + Wallets.partial(m.group()));
                    } else if (Wallets.isValid(m.group(), wf.check(), wf.versions())) {
                        wallets.add(wf.coin() + " " + Wallets.partial(m.group()));
                    }
                }
            }
            if (!wallets.isEmpty()) {
                sticky(w, t, "sig.wallet.cmdline", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm()
                        + ") has a checksum-valid wallet address in its command line", wallets, now);
            }
            if (score >= rules.commandLineThreshold()) {
                sticky(w, t, "sig.cmdline.miner", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm()
                        + ") has a miner command line (" + String.join(", ", hits) + ")", hits, now);
            }
        }
        boolean realKernelThread = s.isKernelThread() || s.pid() == 2;
        boolean looksKernel = (argv0.startsWith("[") && argv0.endsWith("]")) || rules.kernelThreadNames().matcher(s.comm()).find()
                || (argv0.startsWith("[") && rules.kernelThreadNames().matcher(argv0).find());
        if (looksKernel && !realKernelThread && (s.exeAccess() == ProcessSnapshot.Access.OK || !s.cmdline().isEmpty())) {
            sticky(w, t, "beh.disguise.kthread", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " poses as a kernel thread (\""
                    + (argv0.isEmpty() ? s.comm() : argv0) + "\") but has an executable " + s.exePath() + " and parent " + s.ppid(),
                    List.of(argv0.isEmpty() ? s.comm() : argv0, "ppid=" + s.ppid()), now);
        } else if (s.exeAccess() == ProcessSnapshot.Access.OK && (rules.disguiseNames().contains(s.comm().toLowerCase(Locale.ROOT))
                || rules.disguiseNames().contains(exeName.toLowerCase(Locale.ROOT)))) {
            sticky(w, t, "beh.disguise.name", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " uses the name \"" + s.comm()
                    + "\", a name cryptojacking campaigns give their miners", List.of(s.comm()), now);
        } else if (s.exeAccess() == ProcessSnapshot.Access.OK && !s.isExeMemfd() && !exeName.isEmpty()
                && !nameAgrees(s.comm(), exeName, argv0Base)) {
            sticky(w, t, "beh.disguise.comm", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " calls itself \"" + s.comm()
                    + "\" but runs " + exeName, List.of(s.comm(), exeName), now);
        }
        String path = s.exeFilePath();
        for (String dir : th.suspiciousDirs()) {
            if (path.startsWith(dir)) {
                sticky(w, t, "beh.exe.location", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs " + path + " from " + dir
                        + ", where droppers put miners", List.of(path), now);
                break;
            }
        }
        if (s.isExeMemfd()) {
            sticky(w, t, "beh.exe.memfd", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs from memory (" + s.exePath()
                    + "), leaving no file on disk; container runtimes and systemd do this too, so alone it only corroborates",
                    List.of(s.exePath()), now);
        } else if (s.isExeDeleted()) {
            sticky(w, t, "beh.exe.deleted", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs " + s.exePath()
                    + ": its executable was deleted after start", List.of(s.exePath()), now);
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

    private void judgeExe(Window w, Window.Proc t, Tick.ExeScan e, Instant now) {
        ProcessSnapshot s = t.snap;
        t.exeSha = e.sha256();
        int score = 0;
        List<String> hits = new ArrayList<>();
        for (Rules.BinaryString b : rules.binaryStrings()) {
            if (e.found().contains(b.text())) {
                score += b.weight();
                hits.add(b.text());
            }
        }
        if (score >= rules.binaryThreshold()) {
            sticky(w, t, "sig.exe.miner-strings", Finding.Kind.SIGNATURE, "the executable of process " + s.pid() + " (" + s.exePath()
                    + ") contains miner code strings: " + String.join(", ", hits), hits, now);
        }
        for (String marker : rules.packerMarkers()) {
            if (e.found().contains(marker)) {
                sticky(w, t, "beh.exe.packed", Finding.Kind.BEHAVIOUR, "the executable of process " + s.pid()
                        + " is packed (" + marker + "), hiding its strings", List.of(marker), now);
            }
        }
    }

    // ---- per process, every tick ----

    private void analyseDynamic(Window w, Window.Proc t, List<ProcParsers.TcpConnection> conns, Instant now) {
        ProcessSnapshot s = t.snap;
        Rules.Thresholds th = rules.thresholds();
        if (s.hugetlbBytes() >= th.hugetlbBytes()) {
            windowFinding(w, t, "beh.hugepages", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " holds " + (s.hugetlbBytes() >> 20)
                    + " MiB of explicit huge pages, the size of a RandomX dataset",
                    List.of("HugetlbPages=" + (s.hugetlbBytes() >> 10) + " kB"), now);
        }
        for (String p : s.openPaths()) {
            if (MSR_DEVICE.matcher(p).matches()) {
                windowFinding(w, t, "beh.msr", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " has " + p
                        + " open: it tunes CPU model-specific registers, as RandomX miners do", List.of(p), now);
                break;
            }
        }
        if (t.intervals >= th.minIntervals() && t.busyIntervals >= Math.ceil(th.cpuSustainedFraction() * t.intervals)) {
            windowFinding(w, t, "beh.cpu.sustained", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " (" + s.comm() + ") kept "
                    + String.format(Locale.ROOT, "%.0f", t.lastShare) + "% of a core busy in " + t.busyIntervals + " of "
                    + t.intervals + " intervals", List.of(String.format(Locale.ROOT, "cpu=%.0f%%", t.lastShare)), now);
            if (s.nice() > 0) {
                windowFinding(w, t, "beh.cpu.niced", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " runs at full load with nice "
                        + s.nice() + ", lowering its priority to stay unnoticed", List.of("nice=" + s.nice()), now);
            }
        }
        // A pool port alone proves nothing (render farms, job queues and dev servers use 3333-7777, and
        // 443 carries everything), and load is what any busy client of such a server shows too: the
        // connection becomes a signature only with a behaviour of the process other than load.
        for (ProcParsers.TcpConnection c : conns) {
            if (c.state() != ProcParsers.TcpState.ESTABLISHED && c.state() != ProcParsers.TcpState.SYN_SENT) continue;
            if (!rules.poolPorts().contains(c.remotePort())) continue;
            Set<String> groups = groups(w, s.pid());
            boolean blend = rules.blendPorts().contains(c.remotePort());
            Set<String> strong = new TreeSet<>(groups);
            strong.remove("load");
            if (!strong.isEmpty()) {
                windowFinding(w, t, "sig.net.pool-endpoint", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm()
                        + ") is connected to " + c.remote() + ", a mining-pool port, and shows " + String.join(" + ", groups),
                        List.of(c.remote(), String.join("+", groups)), now);
            } else if (!blend) {
                windowFinding(w, t, "beh.net.pool-port", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " (" + s.comm()
                        + ") is connected to " + c.remote() + ", a port mining pools use"
                        + (groups.isEmpty() ? "" : ", and shows " + String.join(" + ", groups) + "; no stratum seen"), List.of(c.remote()), now);
            }
        }
    }

    private void judgeConfig(Window w, Window.Proc t, Tick.ConfigFile c, boolean connected, Instant now) {
        List<String> hits = w.configVerdicts.computeIfAbsent(c.stamp(), k -> configHits(c.text()));
        ProcessSnapshot s = t.snap;
        boolean active = c.opened() || t.lastShare > 0 || connected || s.cpuTicks() > CONFIG_ACTIVE_TICKS && t.intervals == 0;
        if (!hits.isEmpty() && active) {
            windowFinding(w, t, "sig.config.miner", Finding.Kind.SIGNATURE, "process " + s.pid() + " (" + s.comm() + ") "
                    + (c.opened() ? "has open" : "runs next to") + " the miner configuration " + c.path() + " (" + String.join(", ", hits) + ")",
                    hits, now);
        }
    }

    private List<String> configHits(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> hits = new ArrayList<>();
        for (List<String> set : rules.configKeySets()) {
            if (set.stream().allMatch(k -> lower.contains(k.toLowerCase(Locale.ROOT)))) hits.add("keys " + String.join("+", set));
        }
        for (Rules.CommandLinePattern p : rules.commandLine()) {
            if (p.id().equals("stratum-url") && p.regex().matcher(text).find()) hits.add("stratum-url");
        }
        for (String d : rules.poolDomains()) if (lower.contains(d)) hits.add("pool-domain:" + d);
        for (Rules.WalletFormat wf : rules.wallets()) {
            if (wf.check() == Wallets.Check.NONE) continue;
            Matcher m = wf.regex().matcher(text);
            while (m.find()) {
                if (Wallets.isValid(m.group(), wf.check(), wf.versions())) hits.add("wallet " + wf.coin() + " " + Wallets.partial(m.group()));
            }
        }
        return List.copyOf(new LinkedHashSet<>(hits));
    }

    // ---- host-wide ----

    private void analyseHost(Window w, HostProbe.HostState h, Instant now) {
        Rules.Thresholds th = rules.thresholds();
        long pages = Math.max(h.hugePagesTotal(), h.nrHugepages());
        if (pages >= th.hostHugePages()) {
            hostFinding(w, "host.hugepages", "the host reserves " + pages + " huge pages (" + (pages * h.hugePageSizeBytes() >> 20)
                    + " MiB), the reservation RandomX miners make and leave behind", List.of("HugePages_Total=" + h.hugePagesTotal(),
                    "nr_hugepages=" + h.nrHugepages()), now);
        }
        if (h.ldPreloadPresent() && !h.ldPreloadContent().isBlank()) {
            hostFinding(w, "host.ld-preload", "/etc/ld.so.preload preloads " + h.ldPreloadContent()
                    + " into every program, the way process-hiding rootkits work", List.of(h.ldPreloadContent()), now);
        }
        if (h.msrModuleLoaded() && (h.msrAllowWrites().equalsIgnoreCase("on") || h.msrAllowWrites().equals("1"))) {
            hostFinding(w, "host.msr-writes", "the msr module is loaded with allow_writes=" + h.msrAllowWrites()
                    + ", as XMRig sets it for its RandomX boost", List.of("allow_writes=" + h.msrAllowWrites()), now);
        }
    }

    private void closeHost(Window w, List<Integer> hiddenPids, Instant at) {
        Rules.Thresholds th = rules.thresholds();
        if (w.hostIntervals >= th.minIntervals() && w.seconds > 0) {
            double hiddenPct = (w.busyTicks - w.visibleTicks) / w.seconds; // ticks/s = % of one core
            if (hiddenPct >= th.hiddenCpuPercent()) {
                hostFinding(w, "host.hidden-cpu", String.format(Locale.ROOT, "%.0f%% of a core was busy with no visible process to "
                        + "account for it over %.0f s: a hidden process may be running", hiddenPct, w.seconds),
                        List.of(String.format(Locale.ROOT, "busy=%d ticks, visible=%d ticks", w.busyTicks, w.visibleTicks)), at);
            }
        }
        if (!hiddenPids.isEmpty()) {
            hostFinding(w, "host.hidden-pid", "processes " + hiddenPids + " exist but are missing from the /proc listing: something hides them",
                    hiddenPids.stream().map(String::valueOf).toList(), at);
        }
    }

    // ---- findings ----

    private static void note(Window w, SourceNote n) {
        w.notes.add(n.text());
        if (n.degrades()) w.degraded = true;
    }

    private static List<Finding> fresh(Window w) {
        List<Finding> fresh = new ArrayList<>();
        for (var e : w.findings.entrySet()) {
            if (e.getValue().kind() == Finding.Kind.SIGNATURE && w.emitted.add(e.getKey())) fresh.add(e.getValue());
        }
        return fresh;
    }

    private static boolean startedAfter(ProcessSnapshot s, Instant at, long bootSeconds) {
        if (bootSeconds == 0) return false;
        long startMs = bootSeconds * 1000 + s.startTicks() * 1000 / ProcParsers.TICKS_PER_SECOND;
        return startMs >= at.toEpochMilli();
    }

    /** Behaviour groups of one process in this window, without the weak and network ones. */
    private static Set<String> groups(Window w, int pid) {
        Set<String> g = new TreeSet<>();
        for (Finding f : w.findings.values()) {
            if (f.pid() != pid || f.kind() != Finding.Kind.BEHAVIOUR) continue;
            String grp = Verdicts.groupOf(f.ruleId());
            if (grp.equals("network") || grp.equals("weak")) continue;
            g.add(grp);
        }
        return g;
    }

    private static Window.Proc procOf(Window w, String findingKey) {
        String[] parts = findingKey.split("\\|");
        try {
            return w.procs.get(new ProcessSnapshot.Key(Integer.parseInt(parts[1]), Long.parseLong(parts[2])));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String key(Finding f, ProcessSnapshot.Key k) {
        return f.ruleId() + "|" + k.pid() + "|" + k.startTicks();
    }

    private static void sticky(Window w, Window.Proc t, String ruleId, Finding.Kind kind, String summary, List<String> matched, Instant now) {
        Finding f = finding(w, t.snap, ruleId, kind, summary, matched, t.exeSha, now);
        t.sticky.add(f);
        w.findings.putIfAbsent(key(f, t.snap.key()), f);
    }

    static void windowFinding(Window w, Window.Proc t, String ruleId, Finding.Kind kind, String summary, List<String> matched,
            Instant now) {
        Finding f = finding(w, t.snap, ruleId, kind, summary, matched, t.exeSha, now);
        w.findings.putIfAbsent(key(f, t.snap.key()), f);
    }

    private static void hostFinding(Window w, String ruleId, String summary, List<String> matched, Instant now) {
        String k = ruleId + "|0|0";
        long first = w.firstSeen.computeIfAbsent(k, x -> now.toEpochMilli());
        w.findings.putIfAbsent(k, new Finding(ruleId, Finding.Kind.HOST, summary, 0, "", "", "", "", matched, first, ""));
    }

    /**
     * A finding about one thing on the host rather than one process (pid 0), one per {@code what} (a
     * USB bus path, an API endpoint); a signature of this kind still decides alone.
     */
    static void hostWideFinding(Window w, String ruleId, String what, Finding.Kind kind, String summary, List<String> matched,
            Instant now) {
        String k = ruleId + "|0|" + what;
        long first = w.firstSeen.computeIfAbsent(k, x -> now.toEpochMilli());
        w.findings.putIfAbsent(k, new Finding(ruleId, kind, summary, 0, "", "", "", "", matched, first, ""));
    }

    private static Finding finding(Window w, ProcessSnapshot s, String ruleId, Finding.Kind kind, String summary, List<String> matched,
            String exeSha, Instant now) {
        String k = ruleId + "|" + s.pid() + "|" + s.startTicks();
        long first = w.firstSeen.computeIfAbsent(k, x -> now.toEpochMilli());
        return new Finding(ruleId, kind, summary, s.pid(), s.comm(), s.exePath(), exeSha, s.user(), matched, first, "");
    }

    private static String baseName(String p) {
        int slash = p.lastIndexOf('/');
        return slash >= 0 ? p.substring(slash + 1) : p;
    }
}
