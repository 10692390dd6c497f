package io.assay.server.ipcheck;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * One line of a regulator's list: an address or CIDR block, optionally with the time it was seen
 * ({@code [from, to)}; a bare date means that whole UTC day).
 *
 * @param line 1-based line (record) number in the uploaded list
 */
public record IpQuery(int line, String input, Cidr block, Optional<Instant> from, Optional<Instant> to) {
    /** Most lines one list may have; a longer list is refused, not cut. */
    public static final int MAX_LINES = 10_000;

    public IpQuery {
        requireNonNull(input, "input");
        requireNonNull(block, "block");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
    }

    /** A list with bad lines; the message names each bad line and why. */
    public static final class BadListException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadListException(String message) {
            super(message);
        }
    }

    /**
     * Parses a list: one {@code ADDR|CIDR[,FROM,TO]} per line (blank lines and {@code #} comments
     * skipped), which is also the CSV form; a first CSV record starting {@code address} or
     * {@code ip} is a header. Every bad line is reported together, by its line number in the text.
     */
    public static List<IpQuery> parse(String text) {
        String[] lines = text.split("\r?\n", -1);
        if (lines.length > MAX_LINES + 1) {
            throw new BadListException("the list has " + lines.length + " lines; at most " + MAX_LINES
                    + " are checked at once. Split it.");
        }
        List<IpQuery> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean first = true;
        for (int i = 0; i < lines.length; i++) {
            int line = i + 1;
            String raw = lines[i].strip();
            if (raw.isEmpty() || raw.startsWith("#")) continue;
            List<String> fields;
            try {
                // One line at a time, so answers and errors name the file's own line numbers.
                List<CSVRecord> rs = CSVFormat.DEFAULT.builder().setTrim(true).get().parse(new StringReader(raw)).getRecords();
                fields = rs.isEmpty() ? List.of() : rs.get(0).toList();
            } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
                problems.add("line " + line + ": not readable as CSV (" + e.getMessage() + ")");
                continue;
            }
            boolean header = first && !fields.isEmpty()
                    && List.of("address", "ip", "cidr").contains(fields.get(0).toLowerCase(java.util.Locale.ROOT));
            first = false;
            if (header) continue;
            String input = String.join(",", fields);
            if (fields.size() != 1 && fields.size() != 3) {
                problems.add("line " + line + " (\"" + input + "\"): expected ADDR or ADDR,FROM,TO, found " + fields.size()
                        + " fields");
                continue;
            }
            try {
                Cidr block = Cidr.parse(fields.get(0));
                Optional<Instant> from = fields.size() == 3 ? Optional.of(time(fields.get(1), false)) : Optional.empty();
                Optional<Instant> to = fields.size() == 3 ? Optional.of(time(fields.get(2), true)) : Optional.empty();
                if (from.isPresent() && !from.get().isBefore(to.get())) {
                    throw new IllegalArgumentException("FROM " + fields.get(1) + " is not before TO " + fields.get(2));
                }
                out.add(new IpQuery(line, input, block, from, to));
            } catch (IllegalArgumentException e) {
                problems.add("line " + line + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new BadListException(String.join("; ", problems));
        if (out.isEmpty()) throw new BadListException("the list names no address");
        return List.copyOf(out);
    }

    /** An ISO-8601 instant, or a date: its start for FROM, the next day's start for TO (the whole day). */
    private static Instant time(String s, boolean end) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                LocalDate d = LocalDate.parse(s);
                return (end ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("\"" + s + "\" is neither an ISO-8601 instant (2025-03-01T08:00:00Z)"
                        + " nor a date (2025-03-01)");
            }
        }
    }
}
