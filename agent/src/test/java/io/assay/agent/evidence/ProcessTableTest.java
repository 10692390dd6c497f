package io.assay.agent.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process table over a recorded /proc tree. */
class ProcessTableTest {
    @TempDir
    Path tmp;

    int trees;

    ProcessTable table(String loadavg) throws IOException {
        Path proc = tmp.resolve("proc" + trees++);
        for (int[] p : new int[][] {{1, 1}, {40, 3}}) {
            Files.createDirectories(proc.resolve(Integer.toString(p[0])));
            Files.writeString(proc.resolve(p[0] + "/status"), "Name:\tx\nTgid:\t" + p[0] + "\nThreads:\t" + p[1] + "\nUid:\t0\t0\t0\t0\n");
        }
        if (loadavg != null) Files.writeString(proc.resolve("loadavg"), loadavg);
        return new ProcessTable(proc, tmp.resolve("etc"));
    }

    @Test
    void theListingAccountsForAllThreadsOnlyWhenTheKernelCountsNoMore() throws IOException {
        assertThat(table("0.10 0.20 0.30 1/4 999\n").listingAccountsForAllThreads(Set.of(1, 40))).isTrue();
        assertThat(table("0.10 0.20 0.30 1/5 999\n").listingAccountsForAllThreads(Set.of(1, 40)))
                .as("one thread the listing does not show: a hidden process, or another namespace").isFalse();
        assertThat(table("0.10 0.20 0.30 1/4 999\n").listingAccountsForAllThreads(Set.of(1)))
                .as("a listing missing pid 40").isFalse();
        assertThat(table(null).listingAccountsForAllThreads(Set.of(1, 40))).as("no loadavg: cannot tell").isFalse();
        assertThat(table("garbage").listingAccountsForAllThreads(Set.of(1, 40))).isFalse();
    }

    @Test
    void readsFilesLargerThanItsBufferWhole() throws IOException {
        Path big = tmp.resolve("big");
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) content[i] = (byte) ('a' + i % 26);
        Files.write(big, content);
        ProcessTable t = table(null);
        assertThat(t.readBytes(big)).isEqualTo(content);
        assertThat(t.readBytes(tmp.resolve("missing"))).isEmpty();
        assertThat(t.readBytes(tmp)).as("a directory").isEmpty();
        assertThat(t.readString(big)).hasSize(100_000);
    }
}
