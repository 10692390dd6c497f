package io.assay.agent.evidence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pure parsers for Linux {@code /proc} text. They take the file's content, never a path, and return
 * {@link Optional#empty()} (or an empty collection) for empty, truncated or malformed input instead
 * of throwing: a process can exit between reading two of its files, and a half-read file is normal.
 */
public final class ProcParsers {
    /** USER_HZ: the unit of /proc tick counters; fixed at 100 on every Linux ABI the agent runs on. */
    public static final int TICKS_PER_SECOND = 100;
    /** Compiled once: String.split("\\s+") compiles its pattern on every call, for every process every tick. */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ProcParsers() {}

    /** The fields of {@code /proc/PID/stat} the detector uses. Times are in ticks. */
    public record Stat(int pid, String comm, char state, int ppid, long utime, long stime,
            long cutime, long cstime, int nice, long startTicks, long rssPages) {
        public long cpuTicks() {
            return utime + stime;
        }

        public long childTicks() {
            return cutime + cstime;
        }
    }

    /** Parses one {@code /proc/PID/stat} line; the comm may contain spaces and parentheses. */
    public static Optional<Stat> parseStat(String line) {
        if (line == null) return Optional.empty();
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 1 || close < open || close + 2 > line.length()) return Optional.empty();
        try {
            int pid = Integer.parseInt(line.substring(0, open).trim());
            String comm = line.substring(open + 1, close);
            String[] f = WHITESPACE.split(line.substring(close + 2).trim());
            if (f.length < 22) return Optional.empty();
            return Optional.of(new Stat(pid, comm, f[0].charAt(0), Integer.parseInt(f[1]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]),
                    Integer.parseInt(f[16]), Long.parseLong(f[19]), Long.parseLong(f[21])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The fields of {@code /proc/PID/status} the detector uses. */
    public record Status(String name, int tgid, int ppid, int realUid, long hugetlbBytes, long vmRssBytes) {}

    public static Optional<Status> parseStatus(List<String> lines) {
        Map<String, String> kv = keyValues(lines);
        if (!kv.containsKey("Name") || !kv.containsKey("Uid")) return Optional.empty();
        try {
            int uid = Integer.parseInt(WHITESPACE.split(kv.get("Uid").trim())[0]);
            return Optional.of(new Status(kv.get("Name").trim(), intOr(kv.get("Tgid"), -1), intOr(kv.get("PPid"), -1),
                    uid, kbOr(kv.get("HugetlbPages")), kbOr(kv.get("VmRSS"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The {@code Threads:} count of a {@code /proc/PID/status}, or -1 when it is missing. */
    public static int parseStatusThreads(String status) {
        int i = status.startsWith("Threads:") ? 0 : status.indexOf("\nThreads:");
        if (i < 0) return -1;
        int from = status.indexOf(':', i) + 1;
        int end = status.indexOf('\n', from);
        return intOr(end < 0 ? status.substring(from) : status.substring(from, end), -1);
    }

    /**
     * The number of threads (scheduling entities) on the host, the denominator of the fourth field
     * of {@code /proc/loadavg} ({@code 1/164}); -1 when the text is not in that form.
     */
    public static int parseLoadavgThreads(String loadavg) {
        String[] f = loadavg.trim().split(" ");
        if (f.length < 4) return -1;
        int slash = f[3].indexOf('/');
        return slash < 0 ? -1 : intOr(f[3].substring(slash + 1), -1);
    }

    /** {@code /proc/meminfo} as key → value; values in kB are converted to bytes, counts stay counts. */
    public static Map<String, Long> parseMeminfo(List<String> lines) {
        Map<String, Long> out = new HashMap<>();
        for (var e : keyValues(lines).entrySet()) {
            String v = e.getValue().trim();
            try {
                if (v.endsWith(" kB")) {
                    out.put(e.getKey(), Long.parseLong(v.substring(0, v.length() - 3).trim()) * 1024);
                } else {
                    out.put(e.getKey(), Long.parseLong(v));
                }
            } catch (NumberFormatException ignored) {
                // a line we do not understand is skipped, not fatal
            }
        }
        return out;
    }

    /**
     * Aggregate CPU ticks from the first {@code cpu } line of {@code /proc/stat}.
     *
     * @param idle idle + iowait (what the report's host load counts as not busy)
     */
    public record CpuTimes(long busy, long total, long idle) {}

    /**
     * Busy = user + nice + system: the time that is charged to processes (irq, softirq and steal
     * are not, so counting them would show up as "hidden" CPU).
     */
    public static Optional<CpuTimes> parseCpuTimes(List<String> procStatLines) {
        for (String line : procStatLines) {
            if (!line.startsWith("cpu ")) continue;
            String[] f = WHITESPACE.split(line.substring(4).trim());
            if (f.length < 4) return Optional.empty();
            try {
                long total = 0;
                for (int i = 0; i < Math.min(f.length, 8); i++) total += Long.parseLong(f[i]);
                long busy = Long.parseLong(f[0]) + Long.parseLong(f[1]) + Long.parseLong(f[2]);
                long idle = Long.parseLong(f[3]) + (f.length > 4 ? Long.parseLong(f[4]) : 0);
                return Optional.of(new CpuTimes(busy, total, idle));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** {@code btime} (boot time, epoch seconds) from {@code /proc/stat}, or 0. */
    public static long parseBootTimeSeconds(List<String> procStatLines) {
        for (String line : procStatLines) {
            if (line.startsWith("btime ")) {
                try {
                    return Long.parseLong(line.substring(6).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** TCP socket states from include/net/tcp_states.h. */
    public enum TcpState {
        ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING, OTHER;

        static TcpState of(int code) {
            return code >= 1 && code <= 11 ? values()[code - 1] : OTHER;
        }
    }

    /** One row of {@code /proc/net/tcp} or {@code tcp6}. */
    public record TcpConnection(String localAddress, int localPort, String remoteAddress, int remotePort,
            TcpState state, int uid, long inode) {
        public String remote() {
            return (remoteAddress.contains(":") ? "[" + remoteAddress + "]" : remoteAddress) + ":" + remotePort;
        }
    }

    /** Parses {@code /proc/net/tcp} or {@code /proc/net/tcp6}; skips the header and broken rows. */
    public static List<TcpConnection> parseNetTcp(List<String> lines) {
        List<TcpConnection> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = WHITESPACE.split(line.trim());
            if (f.length < 10 || !f[0].endsWith(":") || f[0].equals("sl")) continue;
            try {
                String[] local = f[1].split(":");
                String[] remote = f[2].split(":");
                out.add(new TcpConnection(hexAddress(local[0]), Integer.parseInt(local[1], 16),
                        hexAddress(remote[0]), Integer.parseInt(remote[1], 16),
                        TcpState.of(Integer.parseInt(f[3], 16)), Integer.parseInt(f[7]), Long.parseLong(f[9])));
            } catch (RuntimeException e) {
                // truncated row: skip it
            }
        }
        return out;
    }

    /** /proc/net prints addresses as 32-bit words in host (little-endian) order. */
    static String hexAddress(String hex) {
        if (hex.length() == 8) {
            long v = Long.parseLong(hex, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        }
        if (hex.length() == 32) {
            byte[] b = new byte[16];
            for (int w = 0; w < 4; w++) {
                long v = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
                for (int i = 0; i < 4; i++) b[w * 4 + i] = (byte) (v >> (8 * i));
            }
            boolean v4mapped = true;
            for (int i = 0; i < 10; i++) v4mapped &= b[i] == 0;
            v4mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (v4mapped) return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i += 2) {
                if (i > 0) sb.append(':');
                sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
            }
            return sb.toString();
        }
        throw new IllegalArgumentException("not a /proc/net address: " + hex);
    }

    /** The unified (v2) or first listed cgroup path of {@code /proc/PID/cgroup}, or "". */
    public static String parseCgroup(List<String> lines) {
        String first = "";
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            if (f[0].equals("0") && f[1].isEmpty()) return f[2];
            if (first.isEmpty() || f[1].contains("systemd")) first = f[2];
        }
        return first;
    }

    /** The systemd unit in a cgroup path ({@code /system.slice/nginx.service} → {@code nginx.service}), or "". */
    public static String systemdUnit(String cgroupPath) {
        String[] parts = cgroupPath.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i];
            if (p.endsWith(".service") || p.endsWith(".scope")) return p;
        }
        return "";
    }

    /** uid → user name from {@code /etc/passwd} lines. */
    public static Map<Integer, String> parsePasswd(List<String> lines) {
        Map<Integer, String> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(":");
            if (f.length < 3 || line.startsWith("#")) continue;
            try {
                out.putIfAbsent(Integer.parseInt(f[2]), f[0]);
            } catch (NumberFormatException ignored) {
                // skip a broken line
            }
        }
        return out;
    }

    /** One mapping of {@code /proc/PID/maps}. */
    public record Mapping(String perms, String path) {
        public boolean isHugetlb() {
            return path.startsWith("/anon_hugepage") || path.contains("/hugepages/") || path.startsWith("/dev/hugepages");
        }
    }

    public static List<Mapping> parseMaps(List<String> lines) {
        List<Mapping> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = WHITESPACE.split(line.trim(), 6);
            if (f.length < 5 || f[1].length() != 4) continue;
            out.add(new Mapping(f[1], f.length == 6 ? f[5] : ""));
        }
        return out;
    }

    /** Sum of one {@code smaps} field (e.g. {@code AnonHugePages}) over all mappings, in bytes. */
    public static long sumSmapsField(List<String> lines, String field) {
        long total = 0;
        String prefix = field + ":";
        for (String line : lines) {
            if (line.startsWith(prefix)) total += kbOr(line.substring(prefix.length()));
        }
        return total;
    }

    /** Splits {@code /proc/PID/cmdline} (NUL-separated) into arguments. */
    public static List<String> parseCmdline(byte[] raw) {
        int end = raw.length;
        // trailing NULs: the terminator, or padding left when a process rewrote its argv in place
        while (end > 0 && raw[end - 1] == 0) end--;
        if (end == 0) return List.of();
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || raw[i] == 0) {
                args.add(new String(raw, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return args;
    }

    private static Map<String, String> keyValues(List<String> lines) {
        Map<String, String> kv = new HashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            kv.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return kv;
    }

    private static int intOr(String v, int dflt) {
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static long kbOr(String v) {
        if (v == null) return 0;
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("kb")) t = t.substring(0, t.length() - 2).trim();
        try {
            return Long.parseLong(t) * 1024;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
