package io.assay.agent.daemon;

import static java.util.Objects.requireNonNull;

import io.assay.agent.spool.Spool;
import io.assay.protocol.ReportEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's budget for itself ({@code watch.max.rss}, {@code watch.max.cpu.percent}), checked
 * each run from {@code /proc/self}. Over budget at two checks in a row, it sheds optional work
 * once and records that in the chain as a signed SHED report; still over at two further checks,
 * it records why and asks for a clean restart (the daemon exits 75, systemd starts it again, and
 * the STOP/START reports bracket the restart). CPU is averaged over {@link #CPU_WINDOW}.
 * Confined to its job's thread.
 */
final class SelfWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SelfWatch.class);
    static final Duration CPU_WINDOW = Duration.ofMinutes(5);
    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;
    private static final int STRIKES = 2;

    private record CpuMark(Instant at, long ticks) {}

    private final Clock clock;
    private final Path procSelf;
    private final long maxRssBytes;
    private final int maxCpuPercent;
    private final Spool spool;
    private final Runnable shedOptionalWork;
    private final Runnable restart;
    private final Deque<CpuMark> cpu = new ArrayDeque<>();
    private int strikes;
    private boolean shed;

    /**
     * @param procSelf {@code /proc/self} (tests pass a directory with {@code status} and {@code stat})
     * @param shedOptionalWork makes the agent cheaper (called once)
     * @param restart stops the agent so that it is started again
     */
    SelfWatch(Clock clock, Path procSelf, long maxRssBytes, int maxCpuPercent, Spool spool, Runnable shedOptionalWork,
            Runnable restart) {
        this.clock = requireNonNull(clock, "clock");
        this.procSelf = requireNonNull(procSelf, "procSelf");
        this.maxRssBytes = maxRssBytes;
        this.maxCpuPercent = maxCpuPercent;
        this.spool = requireNonNull(spool, "spool");
        this.shedOptionalWork = requireNonNull(shedOptionalWork, "shedOptionalWork");
        this.restart = requireNonNull(restart, "restart");
    }

    @Override
    public void run() {
        Instant now = clock.instant();
        OptionalLong rss = rssBytes();
        OptionalLong ticks = cpuTicks();
        if (rss.isEmpty() || ticks.isEmpty()) return; // not Linux, or /proc hidden: nothing to judge by
        cpu.addLast(new CpuMark(now, ticks.getAsLong()));
        while (cpu.size() > 2 && Duration.between(cpu.peekFirst().at(), now).compareTo(CPU_WINDOW) > 0) cpu.pollFirst();
        double cpuPercent = cpuPercent();
        String over = "";
        if (rss.getAsLong() > maxRssBytes) {
            over = "resident memory " + mb(rss.getAsLong()) + " is over watch.max.rss " + mb(maxRssBytes);
        } else if (cpuPercent > maxCpuPercent && Duration.between(cpu.peekFirst().at(), now).compareTo(CPU_WINDOW) >= 0) {
            over = String.format("CPU %.1f %% of a core over %s is over watch.max.cpu.percent %d", cpuPercent,
                    CPU_WINDOW, maxCpuPercent);
        }
        if (over.isEmpty()) {
            strikes = 0;
            return;
        }
        strikes++;
        if (strikes < STRIKES) return;
        long t = now.toEpochMilli();
        if (!shed) {
            shed = true;
            strikes = 0;
            String reason = "self-watch: " + over + "; optional work shed (every other sample tick skipped) to stay"
                    + " within the agent's budget";
            log.warn("{}", reason);
            shedOptionalWork.run();
            spool.recordEvent(ReportEvent.of(ReportEvent.Kind.SHED, reason), t, t);
            return;
        }
        String reason = "self-watch: " + over + " even after shedding optional work; restarting cleanly";
        log.warn("{}", reason);
        spool.recordEvent(ReportEvent.of(ReportEvent.Kind.SHED, reason), t, t);
        restart.run();
    }

    private double cpuPercent() {
        if (cpu.size() < 2) return 0;
        CpuMark first = cpu.peekFirst();
        CpuMark last = cpu.peekLast();
        double seconds = Duration.between(first.at(), last.at()).toMillis() / 1000.0;
        if (seconds <= 0) return 0;
        return (last.ticks() - first.ticks()) * 100.0 / TICKS_PER_SECOND / seconds;
    }

    private OptionalLong rssBytes() {
        try {
            for (String line : Files.readAllLines(procSelf.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.debug("self-watch: cannot read {}/status: {}", procSelf, e.toString());
        }
        return OptionalLong.empty();
    }

    private OptionalLong cpuTicks() {
        try {
            String stat = Files.readString(procSelf.resolve("stat"));
            // Fields after the parenthesised command (which may hold spaces): state is field 3, utime 14, stime 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return OptionalLong.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
            log.debug("self-watch: cannot read {}/stat: {}", procSelf, e.toString());
            return OptionalLong.empty();
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1_048_576.0);
    }
}
