package io.assay.agent.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration cannot be used. Carries every problem found, so an operator fixes them all in
 * one edit rather than one per restart.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * One problem with one key.
     *
     * @param source where the value came from: {@code file:line} or {@code --flag}
     * @param key the configuration key, e.g. {@code sample.interval}
     * @param value the offending value as written ("" when missing)
     * @param expected what would be accepted, e.g. {@code a duration between 1s and 1h}
     */
    public record Problem(String source, String key, String value, String expected) {
        public Problem {
            requireNonNull(source, "source");
            requireNonNull(key, "key");
            requireNonNull(value, "value");
            requireNonNull(expected, "expected");
        }

        @Override
        public String toString() {
            return source + ": " + key + " = \"" + value + "\": " + expected;
        }
    }

    private final transient List<Problem> problems;

    public ConfigException(String origin, List<Problem> problems) {
        super(render(origin, problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String render(String origin, List<Problem> problems) {
        return "Cannot start agent: " + problems.size() + " problem(s) in the configuration " + origin + ":\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"))
                + "\nFix the values (see the commented example agent.conf for every key, unit and range) and try again.";
    }
}
