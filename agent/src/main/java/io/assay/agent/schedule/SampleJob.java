package io.assay.agent.schedule;

import static java.util.Objects.requireNonNull;

import io.assay.agent.report.ReportDraft;
import io.assay.agent.report.WindowAssembler;
import io.assay.agent.sample.CpuLoad;
import io.assay.agent.sample.ProcessObservation;
import io.assay.agent.sample.Sampler;
import io.assay.agent.spool.AppendResult;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolException;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Finding;
import io.assay.protocol.ReportEvent;
import io.assay.protocol.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sample tick: read the samplers, feed the window, and when the window closes (due, or at
 * once on a signature finding) spool the report; a finding or a {@code MINING} verdict asks for
 * shipping right away.
 *
 * <p>While the spool cannot be written (disk full, I/O errors) closed windows are held in memory,
 * in order, and written when it works again; past {@link #MAX_HELD} the oldest clean ones are
 * dropped and counted, and a signed SHED report records them once the spool works. Held
 * {@code MINING} and {@code SUSPECT} windows are never dropped.
 */
public final class SampleJob implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SampleJob.class);

    private final Clock clock;
    private final Sampler<CpuLoad> cpu;
    private final Sampler<List<ProcessObservation>> processes;
    private final WindowAssembler assembler;
    private final Spool spool;
    private final String hostId;
    private final Ed25519Signer signer;
    private final Runnable shipNow;
    /** Windows held while the spool fails: about an hour of 10 s samples with 60 s windows. */
    static final int MAX_HELD = 64;
    private final Deque<ReportDraft> held = new ArrayDeque<>();
    private long droppedCount;
    private long droppedFromMs;
    private long droppedToMs;
    private boolean spoolFailing;

    public SampleJob(Clock clock, Sampler<CpuLoad> cpu, Sampler<List<ProcessObservation>> processes,
            WindowAssembler assembler, Spool spool, String hostId, Ed25519Signer signer, Runnable shipNow) {
        this.clock = requireNonNull(clock, "clock");
        this.cpu = requireNonNull(cpu, "cpu");
        this.processes = requireNonNull(processes, "processes");
        this.assembler = requireNonNull(assembler, "assembler");
        this.spool = requireNonNull(spool, "spool");
        this.hostId = requireNonNull(hostId, "hostId");
        this.signer = requireNonNull(signer, "signer");
        this.shipNow = requireNonNull(shipNow, "shipNow");
    }

    @Override
    public synchronized void run() {
        Instant now = clock.instant();
        handle(assembler.tick(now, cpu.sample(), processes::sample), "");
    }

    /**
     * Looks at processes that exec'd a moment ago, out of the tick cycle (called by the exec-event
     * thread): the detector judges just these processes, and a signature closes the window, spools
     * it and ships it at once, exactly as on a tick. Holds this job's lock, so a look and a tick
     * never overlap and the detector and window stay confined to one thread at a time.
     */
    public synchronized void lookAtNew(Set<Integer> pids) {
        if (pids.isEmpty()) return;
        handle(assembler.lookAtNew(clock.instant(), pids), " (on exec)");
    }

    private void handle(WindowAssembler.TickResult result, String how) {
        if (!result.urgentFindings().isEmpty()) {
            log.warn("host {}: signature finding(s) {}{}; closing the window now and shipping at once", hostId,
                    result.urgentFindings().stream().map(f -> f.ruleId() + " pid " + f.pid()).collect(Collectors.joining(", ")), how);
        }
        if (result.closed().isEmpty()) return;
        ReportDraft draft = result.closed().get();
        held.addLast(draft);
        List<Long> written = new ArrayList<>();
        while (!held.isEmpty()) {
            ReportDraft next = held.peekFirst();
            AppendResult appended;
            try {
                if (droppedCount > 0 && held.size() <= MAX_HELD / 2) recordDropped();
                appended = spool.append(next, hostId, signer);
            } catch (SpoolException e) {
                if (!spoolFailing) {
                    log.error("host {}: cannot write the window's report: {} Holding closed windows in memory (up to {})"
                            + " until the spool can be written.", hostId, e.getMessage(), MAX_HELD);
                }
                spoolFailing = true;
                recordErrorQuietly("spool: " + e.getMessage());
                dropBeyondBound();
                break;
            }
            held.pollFirst();
            written.addAll(appended.writtenSeqs());
            if (spoolFailing) log.info("host {}: writing reports to the spool works again", hostId);
            spoolFailing = false;
        }
        if (!written.isEmpty()) {
            log.debug("host {}: spooled seq {} verdict {} ({} findings, {} notes)", hostId, written,
                    draft.verdict(), draft.findings().size(), draft.notes().size());
        }
        if (draft.verdict() == Verdict.MINING) {
            log.warn("host {}: window from {} says MINING{}: {}", hostId, Instant.ofEpochMilli(draft.windowStartMs()),
                    held.isEmpty() ? "" : " (held in memory: the spool cannot be written)", summarize(draft.findings()));
        }
        if (!result.urgentFindings().isEmpty() || draft.verdict() == Verdict.MINING) shipNow.run();
    }

    /** Windows held in memory because the spool cannot be written (for tests and status). */
    synchronized int heldCount() {
        return held.size();
    }

    private void dropBeyondBound() {
        Iterator<ReportDraft> it = held.iterator();
        while (held.size() > MAX_HELD && it.hasNext()) {
            ReportDraft d = it.next();
            if (d.verdict() == Verdict.MINING || d.verdict() == Verdict.SUSPECT) continue;
            it.remove();
            if (droppedCount == 0) droppedFromMs = d.windowStartMs();
            droppedToMs = Math.max(droppedToMs, d.windowEndMs());
            droppedCount++;
        }
    }

    private void recordDropped() {
        String reason = droppedCount + " clean or degraded window(s) from " + Instant.ofEpochMilli(droppedFromMs) + " to "
                + Instant.ofEpochMilli(droppedToMs) + " were dropped, not written, because the spool could not be"
                + " written (disk full or I/O errors) for longer than the agent holds windows in memory";
        spool.recordEvent(ReportEvent.of(ReportEvent.Kind.SHED, reason), droppedFromMs, droppedToMs);
        log.warn("host {}: {}", hostId, reason);
        droppedCount = 0;
        droppedToMs = 0;
    }

    private void recordErrorQuietly(String error) {
        try {
            spool.recordError(error);
        } catch (SpoolException e) {
            // The disk is still full: the log line above is the record.
        }
    }

    /** The first few findings' summaries: the full evidence is in the report, not the log. */
    private static String summarize(List<Finding> findings) {
        String head = findings.stream().limit(3).map(Finding::summary).collect(Collectors.joining("; "));
        return findings.size() > 3 ? head + "; and " + (findings.size() - 3) + " more" : head;
    }
}
