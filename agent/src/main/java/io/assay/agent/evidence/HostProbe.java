package io.assay.agent.evidence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Host-wide evidence: huge-page reservations, {@code /etc/ld.so.preload}, the {@code msr} module,
 * aggregate CPU ticks and the TCP tables. Reads through a {@link ProcessTable} so its bytes count.
 * Never resolves names: addresses stay addresses (an agent resolving pool domains itself would set
 * off DNS-based alarms elsewhere).
 */
public final class HostProbe {
    private final ProcessTable table;
    private final Path procRoot;
    private final Path sysRoot;
    private final Path etcRoot;

    public HostProbe(ProcessTable table, Path sysRoot, Path etcRoot) {
        this.table = table;
        this.procRoot = table.procRoot();
        this.sysRoot = sysRoot;
        this.etcRoot = etcRoot;
    }

    /** Host state at one instant. {@code cpu} is empty when {@code /proc/stat} was unreadable. */
    public record HostState(Optional<ProcParsers.CpuTimes> cpu, long bootTimeSeconds, long hugePagesTotal,
            long hugePageSizeBytes, long nrHugepages, boolean ldPreloadPresent, String ldPreloadContent,
            boolean msrModuleLoaded, String msrAllowWrites, int pidMax) {}

    public HostState read() {
        List<String> stat = table.readLines(procRoot.resolve("stat"));
        Map<String, Long> mem = ProcParsers.parseMeminfo(table.readLines(procRoot.resolve("meminfo")));
        Path preload = etcRoot.resolve("ld.so.preload");
        boolean preloadPresent = Files.exists(preload);
        String preloadContent = preloadPresent ? table.readString(preload).trim() : "";
        boolean msr = Files.isDirectory(sysRoot.resolve("module/msr"));
        String allowWrites = msr ? table.readString(sysRoot.resolve("module/msr/parameters/allow_writes")).trim() : "";
        return new HostState(ProcParsers.parseCpuTimes(stat), ProcParsers.parseBootTimeSeconds(stat),
                mem.getOrDefault("HugePages_Total", 0L), mem.getOrDefault("Hugepagesize", 2L << 20),
                parseLong(table.readString(procRoot.resolve("sys/vm/nr_hugepages")), 0),
                preloadPresent, preloadContent, msr, allowWrites,
                (int) parseLong(table.readString(procRoot.resolve("sys/kernel/pid_max")), 32768));
    }

    /** TCP connections of this network namespace (IPv4 and IPv6); {@code readable} false when neither table could be read. */
    public record TcpTable(List<ProcParsers.TcpConnection> connections, boolean readable) {}

    public TcpTable readTcp() {
        List<ProcParsers.TcpConnection> all = new ArrayList<>();
        boolean readable = false;
        for (String f : List.of("net/tcp", "net/tcp6")) {
            Path p = procRoot.resolve(f);
            if (Files.isReadable(p)) {
                readable = true;
                all.addAll(ProcParsers.parseNetTcp(table.readLines(p)));
            }
        }
        return new TcpTable(all, readable);
    }

    private static long parseLong(String s, long dflt) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
