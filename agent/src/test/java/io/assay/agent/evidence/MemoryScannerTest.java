package io.assay.agent.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryScannerTest {
    /** Captured from a running miner-like program (a thread's stack, libc, the heap). */
    private static final List<String> MAPS = List.of(
            "5628d6105000-5628d6106000 r--p 00000000 fe:00 5341221                    /opt/svc/metricsd",
            "5628d6109000-5628d610a000 rw-p 00003000 fe:00 5341221                    /opt/svc/metricsd",
            "5628f6dd1000-5628f6df2000 rw-p 00000000 00:00 0                          [heap]",
            "7f5b6c2b2000-7f5b6c2b3000 ---p 00000000 00:00 0 ",
            "7f5b6c2b3000-7f5b6cab3000 rw-p 00000000 00:00 0 ",
            "7f5b6cab3000-7f5b6cab6000 rw-p 00000000 00:00 0 ",
            "7f5b6cc89000-7f5b6cc8b000 rw-p 001d3000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f5b6cc8b000-7f5b6cc98000 rw-s 00000000 00:05 12                         /dev/zero (deleted)",
            "7f5b6cca3000-7f5b6cca7000 r--p 00000000 00:00 0                          [vvar]",
            "7ffc505bf000-7ffc505e0000 rw-p 00000000 00:00 0                          [stack]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
            "not a maps line");

    @Test
    void readsHeapFirstThenPrivateAnonymousMappingsSmallestFirstAndNothingFileBacked() {
        List<MemoryScanner.Region> r = MemoryScanner.regions(MAPS);
        assertThat(r).extracting(MemoryScanner.Region::start).containsExactly(
                0x5628f6dd1000L, 0x7f5b6cab3000L, 0x7ffc505bf000L, 0x7f5b6c2b3000L);
    }

    @Test
    void emptyMapsReadNothing() {
        assertThat(MemoryScanner.regions(List.of())).isEmpty();
    }
}
