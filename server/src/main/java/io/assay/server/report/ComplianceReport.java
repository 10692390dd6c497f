package io.assay.server.report;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonObject;
import io.assay.protocol.Verdict;
import io.assay.server.store.FleetTables.Pledge;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The compliance report of a pledge, computed once and written in any {@link ReportFormat}.
 *
 * @param fromMs start of the period reported (the pledge's from)
 * @param toMs end of the period reported: the pledge's to, or the time of computation if the
 *     pledge runs on (the future is neither covered nor a gap)
 * @param checkpoint the newest signed log checkpoint when the report was computed; empty when the
 *     log has none
 */
public record ComplianceReport(Pledge pledge, Instant generatedAt, long fromMs, long toMs, List<HostLine> hosts,
        Totals totals, Optional<CheckpointRef> checkpoint) {

    public ComplianceReport {
        requireNonNull(pledge, "pledge");
        requireNonNull(generatedAt, "generatedAt");
        hosts = List.copyOf(hosts);
        requireNonNull(totals, "totals");
        requireNonNull(checkpoint, "checkpoint");
    }

    /**
     * One host's line.
     *
     * @param gapMs unattested time: the period minus covered time (before enrollment, agent
     *     silent, chain broken); never counted clean
     * @param energyJoules sum of the energy the host's reports in the period state; empty when
     *     none of them carries energy figures
     */
    public record HostLine(String hostId, String hostname, String operator, List<String> groups, long coveredMs,
            long gapMs, Map<Verdict, Long> msByVerdict, List<FindingLine> findings, OptionalDouble energyJoules) {
        public HostLine {
            requireNonNull(hostId, "hostId");
            requireNonNull(hostname, "hostname");
            requireNonNull(operator, "operator");
            groups = List.copyOf(groups);
            msByVerdict = Map.copyOf(msByVerdict);
            findings = List.copyOf(findings);
            requireNonNull(energyJoules, "energyJoules");
        }

        public long ms(Verdict v) {
            return msByVerdict.getOrDefault(v, 0L);
        }
    }

    /**
     * A finding as the agent reported it (its JSON, evidence included), with the reports it
     * appeared in.
     */
    public record FindingLine(String ruleId, String kind, String summary, long firstSeq, long lastSeq, int reports,
            JsonObject finding) {
        public FindingLine {
            requireNonNull(ruleId, "ruleId");
            requireNonNull(kind, "kind");
            requireNonNull(summary, "summary");
            finding = finding.deepCopy();
        }
    }

    /** Fleet totals over every host line. */
    public record Totals(int hosts, long coveredMs, long gapMs, Map<Verdict, Long> msByVerdict, int hostsWithMining,
            OptionalDouble energyJoules) {
        public Totals {
            msByVerdict = Map.copyOf(msByVerdict);
            requireNonNull(energyJoules, "energyJoules");
        }
    }

    /**
     * The log checkpoint the report was computed against.
     *
     * @param note the signed checkpoint text, checkable with the log's verifier key
     * @param reportsNotInCheckpoint reports the report used that the checkpoint does not yet include
     */
    public record CheckpointRef(long size, String note, Instant createdAt, long reportsNotInCheckpoint) {
        public CheckpointRef {
            requireNonNull(note, "note");
            requireNonNull(createdAt, "createdAt");
        }
    }

    public long periodMs() {
        return toMs - fromMs;
    }
}
