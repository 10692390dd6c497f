package io.assay.server.dashboard;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A bar chart of one figure per report window, rendered on the server as inline SVG (the
 * dashboard runs no script and fetches nothing). Bars sit at their windows' place in time, so a
 * silent stretch is an empty stretch. A window whose report did not state the figure gets a grey
 * mark under the axis, never a bar of zero; a chart with no figure at all says "not reported"
 * instead of drawing anything. Pure: no I/O, no clock.
 */
final class Chart {
    static final int WIDTH = 390;
    static final int HEIGHT = 130;
    private static final int LEFT = 44;
    private static final int RIGHT = WIDTH - 8;
    private static final int TOP = 8;
    private static final int BOTTOM = HEIGHT - 24;

    /** One report window's figure; empty when the report did not state it. */
    record Point(long seq, long fromMs, long toMs, OptionalDouble value) {
        Point {
            requireNonNull(value, "value");
        }
    }

    private Chart() {}

    /**
     * @param id the SVG element's id
     * @param unit shown after each value (e.g. {@code %}, {@code W})
     * @param fixedMax the y axis top (100 for percentages); empty: the largest value
     * @param notReported the words for a chart without any figure, in the viewer's language
     */
    static String svg(String id, String label, String unit, List<Point> points, long spanFromMs, long spanToMs,
            OptionalDouble fixedMax, String notReported) {
        StringBuilder out = new StringBuilder();
        out.append("<svg id=\"").append(DashboardRoutes.esc(id)).append("\" class=chart role=img width=").append(WIDTH)
                .append(" height=").append(HEIGHT).append(" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\"><title>").append(DashboardRoutes.esc(label))
                .append("</title>");
        double max = 0;
        boolean any = false;
        for (Point p : points) {
            if (p.value().isPresent()) {
                any = true;
                max = Math.max(max, p.value().getAsDouble());
            }
        }
        if (!any) {
            return out.append("<rect x=0 y=0 width=").append(WIDTH).append(" height=").append(HEIGHT)
                    .append(" fill=\"#f6f6f6\"/><text class=not-reported x=").append(WIDTH / 2).append(" y=")
                    .append(HEIGHT / 2).append(" text-anchor=middle fill=\"#777\" font-size=14>")
                    .append(DashboardRoutes.esc(notReported)).append("</text></svg>").toString();
        }
        double top = fixedMax.orElse(max > 0 ? niceCeiling(max) : 1);
        long span = Math.max(1, spanToMs - spanFromMs);
        double perMs = (RIGHT - LEFT) / (double) span;
        // Axes and the two y labels.
        out.append("<line x1=").append(LEFT).append(" y1=").append(BOTTOM).append(" x2=").append(RIGHT).append(" y2=")
                .append(BOTTOM).append(" stroke=\"#999\"/><line x1=").append(LEFT).append(" y1=").append(TOP)
                .append(" x2=").append(LEFT).append(" y2=").append(BOTTOM).append(" stroke=\"#999\"/>");
        out.append("<text x=").append(LEFT - 4).append(" y=").append(TOP + 10).append(" text-anchor=end font-size=11>")
                .append(number(top)).append(DashboardRoutes.esc(unit)).append("</text><text x=").append(LEFT - 4)
                .append(" y=").append(BOTTOM).append(" text-anchor=end font-size=11>0</text>");
        out.append("<text x=").append(LEFT).append(" y=").append(HEIGHT - 6).append(" font-size=11>")
                .append(Instant.ofEpochMilli(spanFromMs)).append("</text><text x=").append(RIGHT).append(" y=")
                .append(HEIGHT - 6).append(" text-anchor=end font-size=11>").append(Instant.ofEpochMilli(spanToMs))
                .append("</text>");
        for (Point p : points) {
            double x = LEFT + (Math.max(p.fromMs(), spanFromMs) - spanFromMs) * perMs;
            double w = Math.max(1.5, (Math.min(p.toMs(), spanToMs) - Math.max(p.fromMs(), spanFromMs)) * perMs - 1);
            if (p.value().isEmpty()) {
                out.append("<rect class=missing x=").append(number(x)).append(" y=").append(BOTTOM + 2).append(" width=")
                        .append(number(w)).append(" height=4 fill=\"#bbb\"><title>seq ").append(p.seq()).append(": ")
                        .append(DashboardRoutes.esc(notReported)).append("</title></rect>");
                continue;
            }
            double v = p.value().getAsDouble();
            // A zero is drawn as a 1 px bar: zero was reported, unlike a missing figure.
            double h = Math.max(1, Math.min(1, v / top) * (BOTTOM - TOP));
            out.append("<rect class=bar x=").append(number(x)).append(" y=").append(number(BOTTOM - h)).append(" width=")
                    .append(number(w)).append(" height=").append(number(h)).append(" fill=\"#3b7dd8\"><title>seq ")
                    .append(p.seq()).append(": ").append(number(v)).append(DashboardRoutes.esc(unit))
                    .append("</title></rect>");
        }
        return out.append("</svg>").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}: a y axis top a reader can take in. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) return m * p;
        }
        return 10 * p;
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
