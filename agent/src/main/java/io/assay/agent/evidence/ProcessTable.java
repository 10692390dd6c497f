package io.assay.agent.evidence;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the process table straight from {@code /proc} (not through OSHI: the detector needs exe
 * links of deleted binaries, socket inodes and open files, and must see what a rootkit hides from
 * directory listings). Processes that exit while being read are skipped silently.
 *
 * <p>Not thread-safe; keeps a running count of bytes read for the cost benchmark.
 */
public final class ProcessTable {
    private final Path procRoot;
    private final Map<Integer, String> users;
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_KEPT_BUFFER = 256 * 1024;
    private byte[] buffer = new byte[16 * 1024];
    private long bytesRead;

    public ProcessTable(Path procRoot, Path etcRoot) {
        this.procRoot = procRoot;
        Map<Integer, String> u;
        try {
            u = ProcParsers.parsePasswd(Files.readAllLines(etcRoot.resolve("passwd"), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            u = Map.of();
        }
        this.users = u;
    }

    public Path procRoot() {
        return procRoot;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** Numeric entries of the {@code /proc} directory listing (what {@code readdir} shows). */
    public Set<Integer> listPids() {
        Set<Integer> pids = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(procRoot)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) pids.add(Integer.parseInt(n));
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable /proc shows as an empty table; the detector notes it
        }
        return pids;
    }

    /** Reads every listed process. */
    public List<ProcessSnapshot> readAll() {
        List<ProcessSnapshot> out = new ArrayList<>();
        for (int pid : listPids()) read(pid).ifPresent(out::add);
        return out;
    }

    /**
     * Whether the threads of the listed processes are all the threads the kernel counts
     * ({@code /proc/loadavg}). A process hidden from the listing (a hooked {@code readdir}) still
     * counts there, so when this holds there is nothing to find by looking pids up one by one.
     * False when it cannot be told: the count changed while reading, a file was unreadable, or the
     * kernel counts threads the listing cannot show (other pid namespaces).
     */
    public boolean listingAccountsForAllThreads(Set<Integer> listed) {
        int before = ProcParsers.parseLoadavgThreads(readString(procRoot.resolve("loadavg")));
        if (before < 0) return false;
        long sum = 0;
        for (int pid : listed) {
            int t = ProcParsers.parseStatusThreads(readString(procRoot.resolve(Integer.toString(pid)).resolve("status")));
            if (t > 0) sum += t; // a process gone since the listing: its threads are gone from the count too
        }
        int after = ProcParsers.parseLoadavgThreads(readString(procRoot.resolve("loadavg")));
        return before == after && sum == after;
    }

    /** The thread-group id of {@code /proc/N} when it exists (threads are reachable by tid but not listed). */
    public Optional<Integer> tgidOf(int n) {
        try {
            return ProcParsers.parseStatus(Files.readAllLines(procRoot.resolve(Integer.toString(n)).resolve("status")))
                    .map(ProcParsers.Status::tgid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public Optional<ProcessSnapshot> read(int pid) {
        Path dir = procRoot.resolve(Integer.toString(pid));
        Optional<ProcParsers.Stat> stat = ProcParsers.parseStat(readString(dir.resolve("stat")));
        if (stat.isEmpty()) return Optional.empty();
        ProcParsers.Stat st = stat.get();
        List<String> statusLines = readLines(dir.resolve("status"));
        Optional<ProcParsers.Status> status = ProcParsers.parseStatus(statusLines);
        int uid = status.map(ProcParsers.Status::realUid).orElse(-1);
        String user = uid < 0 ? "" : users.getOrDefault(uid, Integer.toString(uid));
        byte[] cmd = readBytes(dir.resolve("cmdline"));
        List<String> cmdline = ProcParsers.parseCmdline(cmd);

        String exe = "";
        ProcessSnapshot.Access access;
        try {
            exe = Files.readSymbolicLink(dir.resolve("exe")).toString();
            access = ProcessSnapshot.Access.OK;
        } catch (AccessDeniedException e) {
            access = ProcessSnapshot.Access.DENIED;
        } catch (IOException | RuntimeException e) {
            access = ProcessSnapshot.Access.NONE; // kernel thread, zombie, or gone
        }
        String cwd = readLink(dir.resolve("cwd"));
        String cgroup = ProcParsers.parseCgroup(readLines(dir.resolve("cgroup")));

        Set<Long> sockets = new HashSet<>();
        List<String> open = new ArrayList<>();
        boolean fdReadable = true;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("fd"))) {
            for (Path fd : ds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                if (target.startsWith("socket:[")) {
                    try {
                        sockets.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    } catch (NumberFormatException ignored) {
                        // not a socket inode
                    }
                } else if (target.startsWith("/")) {
                    open.add(target);
                }
            }
        } catch (AccessDeniedException e) {
            fdReadable = false;
        } catch (IOException | RuntimeException e) {
            // process gone or kernel thread without fds
        }
        return Optional.of(new ProcessSnapshot(pid, st.ppid(), st.comm(), st.state(), st.nice(), st.startTicks(),
                st.cpuTicks(), st.childTicks(), uid, user, exe, access, cmdline, cwd, cgroup,
                status.map(ProcParsers.Status::hugetlbBytes).orElse(0L),
                status.map(ProcParsers.Status::vmRssBytes).orElse(0L), sockets, open, fdReadable));
    }

    /** Reads a small /proc or config file; "" when it cannot be read. */
    public String readString(Path p) {
        return new String(readBytes(p), StandardCharsets.UTF_8);
    }

    public List<String> readLines(Path p) {
        String s = readString(p);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    public byte[] readBytes(Path p) {
        // Files.readAllBytes sizes its buffer by stat, which is 0 for /proc files: it reads one byte,
        // allocates 8 KiB and reads twice more, for each of ~6 files per process per tick (measured
        // ~6 MB/s of garbage at 70 processes). One reused buffer and plain reads until EOF instead.
        try (FileInputStream in = new FileInputStream(p.toFile())) {
            int n = 0;
            while (true) {
                if (n == buffer.length) buffer = Arrays.copyOf(buffer, buffer.length * 2);
                // at most 8 KiB a call: FileInputStream copies through a stack buffer that size, larger reads malloc
                int r = in.read(buffer, n, Math.min(8192, buffer.length - n));
                if (r < 0) break;
                n += r;
            }
            bytesRead += n;
            byte[] out = n == 0 ? EMPTY : Arrays.copyOf(buffer, n);
            if (buffer.length > MAX_KEPT_BUFFER) buffer = new byte[16 * 1024]; // a big file once is no reason to keep its buffer
            return out;
        } catch (IOException | RuntimeException e) {
            return EMPTY; // gone, denied or not a file: callers treat all of these as "nothing there"
        }
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
