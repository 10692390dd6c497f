package io.assay.agent.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the configuration's units: durations {@code 500ms/10s/5m/1h/1d}, sizes {@code 64MiB}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(B|KiB|MiB|GiB)?");

    private Durations() {}

    /** A duration such as {@code 10s}; empty when the text is not one. */
    public static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) return Optional.empty();
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** A size in bytes such as {@code 64MiB} or {@code 1048576}; empty when the text is not one. */
    public static Optional<Long> parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) return Optional.empty();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) return Optional.empty();
        return Optional.of(n << shift);
    }

    /** The shortest exact spelling of {@code d} in the configuration's units. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    public static String formatSize(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) return (bytes >> 30) + "GiB";
        if (bytes > 0 && bytes % (1L << 20) == 0) return (bytes >> 20) + "MiB";
        if (bytes > 0 && bytes % (1L << 10) == 0) return (bytes >> 10) + "KiB";
        return String.format(Locale.ROOT, "%dB", bytes);
    }
}
