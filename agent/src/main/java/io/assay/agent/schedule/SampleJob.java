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
import io.assay.protocol.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sample tick: read the samplers, feed the window, and when the window closes (due, or at
 * once on a signature finding) spool the report; a finding or a {@code MINING} verdict asks for
 * shipping right away.
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
    public void run() {
        Instant now = clock.instant();
        WindowAssembler.TickResult result = assembler.tick(now, cpu.sample(), processes::sample);
        if (!result.urgentFindings().isEmpty()) {
            log.warn("host {}: signature finding(s) {}; closing the window now and shipping at once", hostId,
                    result.urgentFindings().stream().map(f -> f.ruleId() + " pid " + f.pid()).collect(Collectors.joining(", ")));
        }
        if (result.closed().isEmpty()) return;
        ReportDraft draft = result.closed().get();
        AppendResult appended;
        try {
            appended = spool.append(draft, hostId, signer);
        } catch (SpoolException e) {
            if (!spoolFailing) log.error("host {}: cannot write the window's report: {}", hostId, e.getMessage());
            spoolFailing = true;
            return;
        }
        if (spoolFailing) log.info("host {}: writing reports to the spool works again", hostId);
        spoolFailing = false;
        if (!appended.writtenSeqs().isEmpty()) {
            log.debug("host {}: spooled seq {} verdict {} ({} findings, {} notes)", hostId, appended.writtenSeqs(),
                    draft.verdict(), draft.findings().size(), draft.notes().size());
        }
        if (draft.verdict() == Verdict.MINING && !appended.writtenSeqs().isEmpty()) {
            log.warn("host {}: report seq {} says MINING: {}", hostId, appended.writtenSeqs(),
                    summarize(draft.findings()));
        }
        if (!result.urgentFindings().isEmpty() || draft.verdict() == Verdict.MINING) shipNow.run();
    }

    /** The first few findings' summaries: the full evidence is in the report, not the log. */
    private static String summarize(List<Finding> findings) {
        String head = findings.stream().limit(3).map(Finding::summary).collect(Collectors.joining("; "));
        return findings.size() > 3 ? head + "; and " + (findings.size() - 3) + " more" : head;
    }
}
