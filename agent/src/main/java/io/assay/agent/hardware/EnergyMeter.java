package io.assay.agent.hardware;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns per-tick energy readings into a window's joules and average watts per source. Two kinds of
 * input: cumulative counters (RAPL µJ, NVML mJ), whose differences are the energy, wraparound
 * included; and instantaneous power (amdgpu hwmon, NVML boards without the energy counter),
 * integrated between consecutive samples (trapezoids).
 *
 * <p>State between ticks (each source's last counter value or power sample) outlives a window, so
 * the energy across a window boundary is counted once, in the window where the later reading falls.
 * Counters must be read more often than they wrap: a RAPL package counter with a typical 262 J·10⁶
 * range wraps every ~15 minutes at 300 W, far longer than a sampling interval.
 *
 * <p>Not thread-safe: confined to the sampling thread.
 */
public final class EnergyMeter {

    /**
     * One source's energy over the part of a window it was measured in.
     *
     * @param measuredMs how much of the window the figure covers (the time between its first and last reading)
     * @param method {@code counter} (an energy counter's difference) or {@code power} (power samples integrated)
     */
    public record Window(String source, double joules, double avgWatts, long measuredMs, String method) {
        public Window {
            requireNonNull(source, "source");
            requireNonNull(method, "method");
        }
    }

    /** A closed window: the sources measured, and those not measured with why (the last reason seen). */
    public record Closed(List<Window> measured, Map<String, String> absent) {
        public Closed {
            measured = List.copyOf(measured);
            absent = Map.copyOf(absent);
        }
    }

    private record Point(Instant at, double value) {}

    private static final class Sum {
        double joules;
        long ms;
        String method;
    }

    private final Map<String, Point> last = new LinkedHashMap<>();
    private final Map<String, Sum> sums = new LinkedHashMap<>();
    private final Map<String, String> absent = new LinkedHashMap<>();

    /**
     * A counter reading.
     *
     * @param value the counter, in {@code joulesPerUnit}
     * @param wrapsAt where the counter returns to zero ({@code max_energy_range_uj}); 0 when it does
     *     not wrap in practice (NVML's 64-bit mJ counter), and then a decrease is a reset
     *     (driver reloaded), whose interval is not counted
     */
    public void counter(String source, Instant at, long value, long wrapsAt, double joulesPerUnit) {
        Point prev = last.put(source, new Point(at, value));
        Sum s = sums.computeIfAbsent(source, k -> new Sum());
        s.method = "counter";
        if (prev == null) return;
        long before = (long) prev.value();
        long delta;
        if (value >= before) delta = value - before;
        else if (wrapsAt > 0) delta = (wrapsAt - before) + value;
        else return;
        s.joules += delta * joulesPerUnit;
        s.ms += Duration.between(prev.at(), at).toMillis();
    }

    /** An instantaneous power reading in watts. */
    public void power(String source, Instant at, double watts) {
        Point prev = last.put(source, new Point(at, watts));
        Sum s = sums.computeIfAbsent(source, k -> new Sum());
        s.method = "power";
        if (prev == null) return;
        long ms = Duration.between(prev.at(), at).toMillis();
        s.joules += (prev.value() + watts) / 2 * ms / 1000.0;
        s.ms += ms;
    }

    /** The source could not be read this tick; its next reading starts afresh. */
    public void absent(String source, String why) {
        last.remove(source);
        absent.put(source, why);
    }

    /** Ends the window: what was measured in it, and what was not. Sums start again at zero. */
    public Closed close() {
        List<Window> measured = new ArrayList<>();
        Map<String, String> notMeasured = new LinkedHashMap<>(absent);
        sums.forEach((source, s) -> {
            if (s.ms > 0) {
                measured.add(new Window(source, s.joules, s.joules / (s.ms / 1000.0), s.ms, s.method));
                notMeasured.remove(source);
            } else if (!notMeasured.containsKey(source)) {
                notMeasured.put(source, "only one reading in this window");
            }
        });
        sums.clear();
        absent.clear();
        return new Closed(measured, notMeasured);
    }
}
