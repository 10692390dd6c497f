package io.assay.agent.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcParsersTest {
    // captured from a host running XMRig renamed by argv; note the comm with a space and parentheses
    private static final String STAT = "4242 (kworker/0:1) x) S 1 4242 4242 0 -1 4194560 2812 0 0 0 51234 812 7 3 39 19 8 0 "
            + "1234567 2428407808 600123 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

    @Test
    void parsesStatWithParenthesesInComm() {
        var s = ProcParsers.parseStat(STAT).orElseThrow();
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.comm()).isEqualTo("kworker/0:1) x");
        assertThat(s.state()).isEqualTo('S');
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.utime()).isEqualTo(51234);
        assertThat(s.stime()).isEqualTo(812);
        assertThat(s.childTicks()).isEqualTo(10);
        assertThat(s.nice()).isEqualTo(19);
        assertThat(s.startTicks()).isEqualTo(1234567);
        assertThat(s.rssPages()).isEqualTo(600123);
    }

    @Test
    void rejectsEmptyAndTruncatedStat() {
        assertThat(ProcParsers.parseStat("")).isEmpty();
        assertThat(ProcParsers.parseStat("4242 (xmrig) S 1 4242")).isEmpty();
        assertThat(ProcParsers.parseStat("garbage")).isEmpty();
        assertThat(ProcParsers.parseStat(STAT.substring(0, 60))).isEmpty();
    }

    @Test
    void parsesStatusHugetlbAndUid() {
        var s = ProcParsers.parseStatus(List.of("Name:\txmrig", "Umask:\t0022", "State:\tS (sleeping)", "Tgid:\t4242",
                "PPid:\t1", "Uid:\t1001\t1001\t1001\t1001", "VmRSS:\t 2400000 kB", "HugetlbPages:\t 2293760 kB")).orElseThrow();
        assertThat(s.name()).isEqualTo("xmrig");
        assertThat(s.tgid()).isEqualTo(4242);
        assertThat(s.realUid()).isEqualTo(1001);
        assertThat(s.hugetlbBytes()).isEqualTo(2293760L * 1024);
        assertThat(ProcParsers.parseStatus(List.of())).isEmpty();
        assertThat(ProcParsers.parseStatus(List.of("Name:\tx"))).isEmpty();
    }

    @Test
    void parsesThreadCounts() {
        assertThat(ProcParsers.parseStatusThreads("Name:\tjava\nThreads:\t27\nUid:\t0\n")).isEqualTo(27);
        assertThat(ProcParsers.parseStatusThreads("Threads:\t1")).isEqualTo(1);
        assertThat(ProcParsers.parseStatusThreads("Name:\tjava\n")).isEqualTo(-1);
        assertThat(ProcParsers.parseStatusThreads("")).isEqualTo(-1);
        assertThat(ProcParsers.parseLoadavgThreads("0.08 0.03 0.01 2/164 22929\n")).isEqualTo(164);
        assertThat(ProcParsers.parseLoadavgThreads("0.08 0.03")).isEqualTo(-1);
        assertThat(ProcParsers.parseLoadavgThreads("")).isEqualTo(-1);
    }

    @Test
    void parsesNetTcpV4AndV6() {
        var rows = ProcParsers.parseNetTcp(List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11111 1 0000000000000000 100 0 0 10 0",
                "   1: 0F02000A:C350 2B6D0B68:0D05 01 00000000:00000000 02:000A7B2D 00000000  1000        0 22222 2 0000000000000000 20 4 30 10 -1",
                "   2: 0100007F:9C40"));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).state()).isEqualTo(ProcParsers.TcpState.LISTEN);
        assertThat(rows.get(0).localAddress()).isEqualTo("127.0.0.1");
        assertThat(rows.get(0).localPort()).isEqualTo(8080);
        var c = rows.get(1);
        assertThat(c.state()).isEqualTo(ProcParsers.TcpState.ESTABLISHED);
        assertThat(c.remoteAddress()).isEqualTo("104.11.109.43");
        assertThat(c.remotePort()).isEqualTo(3333);
        assertThat(c.uid()).isEqualTo(1000);
        assertThat(c.inode()).isEqualTo(22222);
        var v6 = ProcParsers.parseNetTcp(List.of(
                "   0: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:01BB 01 00000000:00000000 00:00000000 00000000     0        0 33333 1",
                "   1: 00000000000000000000000001000000:0016 B80D0120000000000000000001000000:115C 01 00000000:00000000 00:00000000 00000000     0        0 44444 1"));
        assertThat(v6.get(0).remote()).isEqualTo("127.0.0.1:443");
        assertThat(v6.get(1).localAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(v6.get(1).remoteAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(ProcParsers.parseNetTcp(List.of())).isEmpty();
    }

    @Test
    void parsesMeminfoAndCpuTimes() {
        var m = ProcParsers.parseMeminfo(List.of("MemTotal:       16314156 kB", "HugePages_Total:    1168", "Hugepagesize:       2048 kB", "broken"));
        assertThat(m.get("HugePages_Total")).isEqualTo(1168);
        assertThat(m.get("Hugepagesize")).isEqualTo(2048L * 1024);
        assertThat(ProcParsers.parseMeminfo(List.of())).isEmpty();
        var cpu = ProcParsers.parseCpuTimes(List.of("cpu  9087 10 2439 333594 254 0 31 133 0 0", "cpu0 1 2 3 4", "btime 1700000000"))
                .orElseThrow();
        assertThat(cpu.busy()).isEqualTo(9087 + 10 + 2439);
        assertThat(cpu.idle()).isEqualTo(333594 + 254);
        assertThat(cpu.total()).isEqualTo(9087 + 10 + 2439 + 333594 + 254 + 0 + 31 + 133);
        assertThat(ProcParsers.parseCpuTimes(List.of("cpu  1 2"))).isEmpty();
        assertThat(ProcParsers.parseBootTimeSeconds(List.of("btime 1700000000"))).isEqualTo(1700000000L);
    }

    @Test
    void parsesMapsSmapsCgroupAndCmdline() {
        var maps = ProcParsers.parseMaps(List.of(
                "55d0c0000000-55d0c0200000 r-xp 00000000 00:1a 123 /tmp/.X11-unix/kw (deleted)",
                "7f0000000000-7f0080000000 rw-s 00000000 00:0f 4567 /anon_hugepage (deleted)",
                "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 ", "truncated"));
        assertThat(maps).hasSize(3);
        assertThat(maps.get(1).isHugetlb()).isTrue();
        assertThat(maps.get(0).perms()).isEqualTo("r-xp");
        assertThat(ProcParsers.sumSmapsField(List.of("AnonHugePages:    2048 kB", "Rss: 4 kB", "AnonHugePages:    4096 kB"), "AnonHugePages"))
                .isEqualTo(6144L * 1024);
        assertThat(ProcParsers.parseCgroup(List.of("0::/system.slice/miner.service"))).isEqualTo("/system.slice/miner.service");
        assertThat(ProcParsers.systemdUnit("/system.slice/miner.service")).isEqualTo("miner.service");
        assertThat(ProcParsers.parseCmdline("xmrig\0-o\0pool:3333\0".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("xmrig", "-o", "pool:3333");
        assertThat(ProcParsers.parseCmdline("[kworker/0:1]\0\0\0\0".getBytes(StandardCharsets.UTF_8))).containsExactly("[kworker/0:1]");
        assertThat(ProcParsers.parseCmdline(new byte[0])).isEmpty();
    }
}
