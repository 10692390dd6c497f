package io.assay.agent.detect;

import io.assay.agent.evidence.ProcessSnapshot;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's declared workloads ({@code allowlist.json}): processes that may be busy, run from
 * odd places or hold huge pages for a stated reason until a stated date. A matching process has its
 * behaviour findings lowered (kept in the report with the reason, not counted for the verdict);
 * signature hits are never lowered, so an allowlist cannot hide a miner binary.
 *
 * <p>Each entry matches on every field it names (exeSha256, exePath, user, systemdUnit, and cgroup
 * as a path prefix). Entries past their {@code expires} date are ignored, with a note.
 */
public record Allowlist(List<Entry> entries) {
    public static final Allowlist EMPTY = new Allowlist(List.of());

    public Allowlist {
        entries = List.copyOf(entries);
    }

    /** One declared workload; absent matchers are "". */
    public record Entry(String exeSha256, String exePath, String user, String systemdUnit, String cgroup,
            String reason, LocalDate expires, int line) {
        boolean matches(ProcessSnapshot p, String exeSha256Of, String unit) {
            return (exeSha256.isEmpty() || exeSha256.equalsIgnoreCase(exeSha256Of))
                    && (exePath.isEmpty() || exePath.equals(p.exeFilePath()))
                    && (user.isEmpty() || user.equals(p.user()))
                    && (systemdUnit.isEmpty() || systemdUnit.equals(unit))
                    && (cgroup.isEmpty() || p.cgroup().startsWith(cgroup));
        }
    }

    /** The reason of the first live entry matching the process. */
    public Optional<String> reasonFor(ProcessSnapshot p, String exeSha256, LocalDate today) {
        String unit = io.assay.agent.evidence.ProcParsers.systemdUnit(p.cgroup());
        for (Entry e : entries) {
            if (!e.expires().isBefore(today) && e.matches(p, exeSha256, unit)) return Optional.of(e.reason());
        }
        return Optional.empty();
    }

    /** Notes for entries that have expired (so the operator sees why a workload is flagged again). */
    public List<String> expiryNotes(String file, LocalDate today) {
        List<String> notes = new ArrayList<>();
        for (Entry e : entries) {
            if (e.expires().isBefore(today)) {
                notes.add("allowlist entry at " + file + ":" + e.line() + " (\"" + e.reason() + "\") expired on "
                        + e.expires() + " and is ignored; renew its \"expires\" date or remove it");
            }
        }
        return notes;
    }

    /** @throws RulesException naming file, line and reason */
    public static Allowlist parse(String file, String text) {
        Map<String, JsonTree> top = JsonTree.parse(file, text).object("the allowlist");
        JsonTree.onlyKeys(top, "the allowlist", "version", "entries");
        JsonTree list = top.get("entries");
        if (list == null) throw new RulesException(file, 1, "\"entries\" is missing; write {\"entries\": []} for an empty allowlist");
        List<Entry> out = new ArrayList<>();
        for (JsonTree t : list.array("entries")) {
            Map<String, JsonTree> o = t.object("an allowlist entry");
            JsonTree.onlyKeys(o, "an allowlist entry", "exeSha256", "exePath", "user", "systemdUnit", "cgroup", "reason", "expires");
            String sha = opt(o, "exeSha256");
            if (!sha.isEmpty() && !sha.matches("[0-9a-fA-F]{64}")) throw o.get("exeSha256").error("exeSha256 must be 64 hex characters");
            String path = opt(o, "exePath");
            if (!path.isEmpty() && !path.startsWith("/")) throw o.get("exePath").error("exePath \"" + path + "\" must be absolute");
            Entry e = new Entry(sha, path, opt(o, "user"), opt(o, "systemdUnit"), opt(o, "cgroup"), opt(o, "reason"), null, t.line());
            if (sha.isEmpty() && path.isEmpty() && e.user().isEmpty() && e.systemdUnit().isEmpty() && e.cgroup().isEmpty()) {
                throw t.error("allowlist entry matches nothing: name at least one of exeSha256, exePath, user, systemdUnit, cgroup");
            }
            if (e.reason().isBlank()) throw t.error("allowlist entry has no \"reason\"; say why this workload is allowed");
            JsonTree exp = o.get("expires");
            if (exp == null) throw t.error("allowlist entry has no \"expires\" date (YYYY-MM-DD); every exception must end");
            LocalDate date;
            try {
                date = LocalDate.parse(exp.string("expires"));
            } catch (DateTimeParseException ex) {
                throw exp.error("expires \"" + exp.value() + "\" is not a date; write it as YYYY-MM-DD");
            }
            out.add(new Entry(sha, path, e.user(), e.systemdUnit(), e.cgroup(), e.reason(), date, t.line()));
        }
        return new Allowlist(out);
    }

    private static String opt(Map<String, JsonTree> o, String key) {
        return o.containsKey(key) ? o.get(key).string(key) : "";
    }
}
