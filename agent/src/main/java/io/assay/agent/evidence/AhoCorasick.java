package io.assay.agent.evidence;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A multi-pattern byte matcher (Aho–Corasick): one pass over a stream finds every pattern at once,
 * in time linear in the bytes read, whatever the number of patterns. Matching is streaming: a
 * {@link Cursor} carries the automaton state between chunks, so a pattern split across two reads
 * is still found and a large file can be scanned over several cycles.
 *
 * <p>Immutable and thread-safe once built; a {@link Cursor} is not.
 */
public final class AhoCorasick {
    private final List<String> patterns;
    /**
     * Byte to column: the bytes that occur in some pattern get a column each, every other byte
     * shares column 0. The built-in rules use 37-39 distinct bytes, so the executable and memory
     * scanners' tables take 60 KB instead of 404 KB (states x 256) of the agent's ~6 MB live heap.
     */
    private final int[] columnOf = new int[256];
    private final int columns;
    /** Dense goto table: states x columns, with failure transitions already folded in. */
    private final int[] delta;
    /** For each state, the pattern indexes that end there (own and via failure links). */
    private final int[][] outputs;

    public AhoCorasick(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        List<byte[]> encoded = new ArrayList<>();
        int used = 1;
        for (int p = 0; p < this.patterns.size(); p++) {
            byte[] bytes = this.patterns.get(p).getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0) throw new IllegalArgumentException("pattern " + p + " is empty");
            for (byte b : bytes) if (columnOf[b & 0xff] == 0) columnOf[b & 0xff] = used++;
            encoded.add(bytes);
        }
        columns = used;
        List<int[]> go = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        go.add(newRow(columns));
        out.add(new ArrayList<>());
        for (int p = 0; p < encoded.size(); p++) {
            int s = 0;
            for (byte b : encoded.get(p)) {
                int c = columnOf[b & 0xff];
                if (go.get(s)[c] < 0) {
                    go.get(s)[c] = go.size();
                    go.add(newRow(columns));
                    out.add(new ArrayList<>());
                }
                s = go.get(s)[c];
            }
            out.get(s).add(p);
        }
        int n = go.size();
        int[] fail = new int[n];
        delta = new int[n * columns];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < columns; c++) {
            int t = go.get(0)[c];
            if (t < 0) {
                delta[c] = 0;
            } else {
                delta[c] = t;
                fail[t] = 0;
                queue.add(t);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            out.get(s).addAll(out.get(fail[s]));
            for (int c = 0; c < columns; c++) {
                int t = go.get(s)[c];
                if (t < 0) {
                    delta[s * columns + c] = delta[fail[s] * columns + c];
                } else {
                    delta[s * columns + c] = t;
                    fail[t] = delta[fail[s] * columns + c];
                    queue.add(t);
                }
            }
        }
        outputs = new int[n][];
        for (int s = 0; s < n; s++) outputs[s] = out.get(s).stream().mapToInt(Integer::intValue).distinct().toArray();
    }

    private static int[] newRow(int columns) {
        int[] row = new int[columns];
        java.util.Arrays.fill(row, -1);
        return row;
    }

    public List<String> patterns() {
        return patterns;
    }

    public Cursor cursor() {
        return new Cursor();
    }

    /** Convenience for small inputs: the indexes of the patterns that occur in {@code data}. */
    public BitSet find(byte[] data) {
        Cursor c = cursor();
        c.feed(data, 0, data.length);
        return c.found();
    }

    /** Matching state over one stream. */
    public final class Cursor {
        private int state;
        private final BitSet found = new BitSet();

        public void feed(byte[] buf, int off, int len) {
            int s = state;
            for (int i = off; i < off + len; i++) {
                s = delta[s * columns + columnOf[buf[i] & 0xff]];
                int[] o = outputs[s];
                if (o.length != 0) for (int p : o) found.set(p);
            }
            state = s;
        }

        /** Pattern indexes seen so far (a copy). */
        public BitSet found() {
            return (BitSet) found.clone();
        }
    }
}
