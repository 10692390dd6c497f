package io.assay.agent.evidence;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a process's anonymous and heap memory through {@code /proc/PID/mem} (needs
 * {@code CAP_SYS_PTRACE} for another user's process) and looks for patterns with one Aho–Corasick
 * pass, and for Monero-address-shaped strings (95 or 106 Base58 characters starting with 4 or 8)
 * whose checksum the judge then checks. Reading {@code mem} does not attach or stop the process: the
 * kernel copies the pages while it runs, so what is read may be mid-update, which is fine for strings.
 *
 * <p>Only private mappings without a file behind them ({@code [heap]}, {@code [stack]}, anonymous),
 * where a program keeps what it decoded at run time; never file-backed ones (libraries, the
 * executable, which the exe scan reads). Bounded by a byte and a CPU budget per call. Not thread-safe.
 */
public final class MemoryScanner {
    private static final int CHUNK = 1 << 16;
    private static final boolean[] BASE58 = new boolean[256];

    static {
        for (char c : "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray()) BASE58[c] = true;
    }
    private static final int MAX_CANDIDATES = 16;

    /**
     * What one scan found.
     *
     * @param found indexes of the patterns seen
     * @param walletCandidates address-shaped strings, unchecked (the first few)
     * @param complete every selected mapping was read within the budgets
     */
    public record Result(BitSet found, List<String> walletCandidates, long bytesRead, int regions, long cpuNanos, boolean complete) {
        public Result {
            found = (BitSet) found.clone();
            walletCandidates = List.copyOf(walletCandidates);
        }

        @Override
        public BitSet found() {
            return (BitSet) found.clone();
        }
    }

    /** One mapping of {@code /proc/PID/maps} worth reading. */
    record Region(long start, long end) {}

    private final AhoCorasick matcher;
    private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    private final byte[] buf = new byte[CHUNK];

    public MemoryScanner(AhoCorasick matcher) {
        this.matcher = matcher;
    }

    /**
     * Scans the anonymous and heap mappings of {@code pid} under {@code procRoot}.
     *
     * @throws IOException the maps or mem file cannot be opened (process gone, permission denied)
     */
    public Result scan(Path procRoot, int pid, long maxBytes, long maxCpuNanos) throws IOException {
        Path dir = procRoot.resolve(Integer.toString(pid));
        List<Region> regions = regions(Files.readAllLines(dir.resolve("maps"), StandardCharsets.ISO_8859_1));
        long cpu0 = cpu.getCurrentThreadCpuTime();
        long read = 0;
        int done = 0;
        boolean complete = true;
        BitSet found = new BitSet();
        Set<String> wallets = new LinkedHashSet<>();
        try (FileChannel mem = FileChannel.open(dir.resolve("mem"), StandardOpenOption.READ)) {
            outer:
            for (Region r : regions) {
                AhoCorasick.Cursor cursor = matcher.cursor();
                boolean zeros = false;
                StringBuilder run = new StringBuilder();
                long pos = r.start();
                while (pos < r.end()) {
                    if (read >= maxBytes || cpu.getCurrentThreadCpuTime() - cpu0 >= maxCpuNanos) {
                        complete = false;
                        break outer;
                    }
                    int want = (int) Math.min(CHUNK, Math.min(r.end() - pos, maxBytes - read));
                    int n;
                    try {
                        n = mem.read(ByteBuffer.wrap(buf, 0, want), pos);
                    } catch (IOException e) {
                        break; // an unreadable page range (guard page, I/O mapping): skip the rest of this mapping
                    }
                    if (n <= 0) break;
                    pos += n;
                    read += n;
                    // Untouched anonymous pages read as zeros (most of a thread stack): skip them cheaply.
                    // A pattern cannot span them, so the match state starts afresh after a run of zeros.
                    if (allZero(buf, n)) {
                        if (!zeros) {
                            found.or(cursor.found());
                            cursor = matcher.cursor();
                            run.setLength(0);
                            zeros = true;
                        }
                        continue;
                    }
                    zeros = false;
                    cursor.feed(buf, 0, n);
                    if (wallets.size() < MAX_CANDIDATES) addressShaped(buf, n, run, wallets);
                }
                found.or(cursor.found());
                done++;
            }
        }
        return new Result(found, new ArrayList<>(wallets), read, done, cpu.getCurrentThreadCpuTime() - cpu0, complete);
    }

    private static boolean allZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) if (b[i] != 0) return false;
        return true;
    }

    /**
     * Private mappings with no file behind them: heap, stacks, anonymous memory; the heap first, then
     * the smaller ones first, so a budget is not spent on one large arena before the heap is read.
     */
    static List<Region> regions(List<String> maps) {
        List<Region> out = new ArrayList<>();
        List<Region> heap = new ArrayList<>();
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5 || f[1].length() < 4 || f[1].charAt(0) != 'r' || f[1].charAt(3) != 'p') continue;
            String path = f.length == 6 ? f[5] : "";
            boolean anon = f[4].equals("0") && (path.isEmpty() || path.equals("[heap]") || path.equals("[stack]") || path.startsWith("[anon"));
            if (!anon) continue;
            int dash = f[0].indexOf('-');
            try {
                Region r = new Region(Long.parseUnsignedLong(f[0].substring(0, dash), 16), Long.parseUnsignedLong(f[0].substring(dash + 1), 16));
                (path.equals("[heap]") ? heap : out).add(r);
            } catch (RuntimeException e) {
                // a line the kernel did not write: skip it
            }
        }
        out.sort(java.util.Comparator.comparingLong(r -> r.end() - r.start()));
        heap.addAll(out);
        return heap;
    }

    /** Collects runs of Base58 characters of a Monero address's length that start as mainnet addresses do. */
    private static void addressShaped(byte[] b, int n, StringBuilder run, Set<String> out) {
        for (int i = 0; i < n; i++) {
            char c = (char) (b[i] & 0xff);
            if (BASE58[c]) {
                if (run.length() <= 106) run.append(c);
                else run.setLength(107); // too long to be an address: remember only that
                continue;
            }
            endRun(run, out);
        }
    }

    private static void endRun(StringBuilder run, Set<String> out) {
        int len = run.length();
        if ((len == 95 || len == 106) && (run.charAt(0) == '4' || run.charAt(0) == '8') && out.size() < MAX_CANDIDATES) out.add(run.toString());
        run.setLength(0);
    }
}
