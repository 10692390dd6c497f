package io.assay.agent.daemon;

import static java.util.Objects.requireNonNull;

import io.assay.agent.detect.HostDetector;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolException;
import io.assay.protocol.ReportEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's budget for itself ({@code watch.max.rss}, {@code watch.max.cpu.percent}), checked
 * each run from {@code /proc/self}, and a ladder of optional work to shed when it is over: the
 * daemon's ladder is the content scans first (executables and process memory), then every other
 * sample tick. Over budget at two checks in a row, it sheds the next rung and records that in the
 * chain as a signed SHED report naming what was shed; over budget at two more checks after the last
 * rung, it records why and asks for a clean restart (the daemon exits 75, systemd starts it again,
 * and the STOP/START reports bracket the restart). Back within budget for {@link #RESTORE_CHECKS}
 * checks in a row, it restores everything shed and records a SHED report whose window is the span
 * the work was shed. CPU is averaged over {@link #CPU_WINDOW}.
 *
 * <p>{@link #run} is confined to its job's thread; {@link #shedState} may be read from any thread.
 */
final class SelfWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SelfWatch.class);
    static final Duration CPU_WINDOW = Duration.ofMinutes(5);
    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;
    private static final int STRIKES = 2;
    /**
     * Checks within budget, in a row, before shed work is restored: longer than the strikes that
     * shed it, so that an agent hovering at its budget does not flap between shedding and restoring
     * (each flip is a signed report).
     */
    static final int RESTORE_CHECKS = 5;

    /**
     * One rung of the ladder.
     *
     * @param id short name for metrics ({@code content_scans})
     * @param what what is shed, for the chain and the log ("every other sample tick")
     * @param shed makes the agent cheaper; {@code restore} undoes it
     */
    record Rung(String id, String what, Runnable shed, Runnable restore) {
        Rung {
            requireNonNull(id, "id");
            requireNonNull(what, "what");
            requireNonNull(shed, "shed");
            requireNonNull(restore, "restore");
        }
    }

    private record CpuMark(Instant at, long ticks) {}

    private final Clock clock;
    private final Path procSelf;
    private final long maxRssBytes;
    private final int maxCpuPercent;
    private final Spool spool;
    private final List<Rung> ladder;
    private final Runnable restart;
    private final Deque<CpuMark> cpu = new ArrayDeque<>();
    private int strikes;
    private int calm;
    /** Rungs shed now: {@code ladder.subList(0, shed)}. */
    private volatile int shed;
    private long shedSinceMs;

    /**
     * @param procSelf {@code /proc/self} (tests pass a directory with {@code status} and {@code stat})
     * @param ladder optional work in the order it is shed
     * @param restart stops the agent so that it is started again
     */
    SelfWatch(Clock clock, Path procSelf, long maxRssBytes, int maxCpuPercent, Spool spool, List<Rung> ladder,
            Runnable restart) {
        this.clock = requireNonNull(clock, "clock");
        this.procSelf = requireNonNull(procSelf, "procSelf");
        this.maxRssBytes = maxRssBytes;
        this.maxCpuPercent = maxCpuPercent;
        this.spool = requireNonNull(spool, "spool");
        this.ladder = List.copyOf(ladder);
        this.restart = requireNonNull(restart, "restart");
    }

    /** The daemon's ladder: content scans first (the "executable content scans first"), then every other sample tick. */
    static List<Rung> ladder(HostDetector detector, SampleTicks ticks) {
        return List.of(
                new Rung("content_scans", "the content scans (executables and the memory of processes in question)",
                        () -> detector.shedContentScans(true), () -> detector.shedContentScans(false)),
                new Rung("every_other_tick", "every other sample tick", () -> ticks.shedEveryOtherTick(true),
                        () -> ticks.shedEveryOtherTick(false)));
    }

    /** Each rung's id, in ladder order, and whether it is shed now (for the metrics port). Thread-safe. */
    Map<String, Boolean> shedState() {
        int now = shed;
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (int i = 0; i < ladder.size(); i++) out.put(ladder.get(i).id(), i < now);
        return out;
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
            over = String.format(Locale.ROOT, "CPU %.1f %% of a core over %s is over watch.max.cpu.percent %d", cpuPercent,
                    CPU_WINDOW, maxCpuPercent);
        }
        if (over.isEmpty()) {
            strikes = 0;
            if (shed > 0 && ++calm >= RESTORE_CHECKS) restore(now, rss.getAsLong(), cpuPercent);
            return;
        }
        calm = 0;
        strikes++;
        if (strikes < STRIKES) return;
        strikes = 0;
        long t = now.toEpochMilli();
        if (shed < ladder.size()) {
            Rung rung = ladder.get(shed);
            String next = shed + 1 < ladder.size() ? ladder.get(shed + 1).what() : "a clean restart";
            String reason = "self-watch: " + over + "; shed " + rung.what() + " to stay within the agent's budget"
                    + " (step " + (shed + 1) + " of " + ladder.size() + "; next if still over: " + next + ")";
            log.warn("{}", reason);
            rung.shed().run();
            if (shed == 0) shedSinceMs = t;
            shed++;
            record(reason, t, t);
            return;
        }
        String reason = "self-watch: " + over + " even after shedding optional work (" + whatIsShed()
                + "); restarting cleanly";
        log.warn("{}", reason);
        record(reason, t, t);
        restart.run();
    }

    private void restore(Instant now, long rssBytes, double cpuPercent) {
        String what = whatIsShed();
        for (int i = shed - 1; i >= 0; i--) ladder.get(i).restore().run();
        shed = 0;
        calm = 0;
        String reason = String.format(Locale.ROOT, "self-watch: back within budget for %d checks (resident memory %s,"
                + " CPU %.1f %% of a core); restored %s, shed from %s to %s", RESTORE_CHECKS, mb(rssBytes), cpuPercent, what,
                Instant.ofEpochMilli(shedSinceMs), now);
        log.info("{}", reason);
        // The window is the span the work was shed, as for windows the spool had to shed.
        record(reason, shedSinceMs, now.toEpochMilli());
    }

    private String whatIsShed() {
        return ladder.subList(0, shed).stream().map(Rung::what).collect(Collectors.joining(", "));
    }

    /** The signed record; while the spool cannot be written (disk full) the log line is the record. */
    private void record(String reason, long fromMs, long toMs) {
        try {
            spool.recordEvent(ReportEvent.of(ReportEvent.Kind.SHED, reason), fromMs, toMs);
        } catch (SpoolException e) {
            log.warn("self-watch: cannot record this in the chain: {}", e.getMessage());
        }
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
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1_048_576.0);
    }
}
