package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * C programs the wire and memory tests build with the host's gcc, outside the miner drop
 * directories (a service's place, so location is no evidence): a miner whose every telling string
 * is XOR-encoded in the file and decoded into the heap at run time, and a busy job worker.
 */
final class TestPrograms {
    private TestPrograms() {}

    /** Where the programs go: the build directory, or the user's cache when the checkout itself lives under /tmp. */
    static Path binDir(String name) throws IOException {
        Path base = Path.of("target").toAbsolutePath();
        if (base.toString().startsWith("/tmp/") || base.toString().startsWith("/var/tmp/") || base.toString().startsWith("/dev/shm/")) {
            base = Path.of(System.getProperty("user.home"), ".cache", "assay-tests");
        }
        return Files.createDirectories(base.resolve("test-programs").resolve(name + "-" + System.nanoTime()));
    }

    private static final byte KEY = 0x5a;

    /** A C initializer of {@code s} XOR-encoded with the program's key (its length is the array's size less one). */
    private static String encoded(String s) {
        StringBuilder sb = new StringBuilder("{");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("0x%02x,", (b ^ KEY) & 0xff));
        return sb.append("0x00}").toString();
    }

    /**
     * A miner-like program named {@code name}: no arguments, no config; it connects to 127.0.0.1:{@code port},
     * logs in with {@code wallet} Monero-style, submits a share every 0.7 s and keeps four threads busy.
     */
    static Path encodedMiner(String name, int port, String wallet) throws IOException, InterruptedException {
        String login = "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"%s\",\"pass\":\"x\",\"agent\":\"svc/1.0\"}}\n";
        String submit = "{\"id\":%d,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"1\",\"job_id\":\"%d\","
                + "\"nonce\":\"%08x\",\"result\":\"5c3b21a8e4f7d9c2\"}}\n";
        String src = """
                #include <stdio.h>
                #include <stdlib.h>
                #include <string.h>
                #include <unistd.h>
                #include <pthread.h>
                #include <arpa/inet.h>
                #include <sys/socket.h>
                #include <sys/time.h>
                static const unsigned char E_LOGIN[] = %s;
                static const unsigned char E_SUBMIT[] = %s;
                static const unsigned char E_WALLET[] = %s;
                static volatile unsigned char key = %d;  /* volatile: the compiler cannot fold the decoding */
                static volatile unsigned long sink;
                /* by length, not up to a 0: a 'Z' encodes to 0 */
                static char *decode(const unsigned char *e, size_t n) {
                    char *s = malloc(n + 1);
                    for (size_t i = 0; i < n; i++) s[i] = (char) (e[i] ^ key);
                    s[n] = 0;
                    return s;
                }
                static void *spin(void *a) { unsigned long x = 1; for (;;) { x = x * 6364136223846793005UL + 1; sink = x; } return a; }
                int main(void) {
                    char *login = decode(E_LOGIN, sizeof E_LOGIN - 1), *submit = decode(E_SUBMIT, sizeof E_SUBMIT - 1);
                    char *wallet = decode(E_WALLET, sizeof E_WALLET - 1);
                    /* four spinning threads: on a loaded shared machine one thread gets too little of a core to look busy */
                    for (int i = 0; i < 4; i++) { pthread_t t; pthread_create(&t, 0, spin, 0); }
                    int fd = socket(AF_INET, SOCK_STREAM, 0);
                    struct sockaddr_in a; memset(&a, 0, sizeof a);
                    a.sin_family = AF_INET; a.sin_port = htons(%d); a.sin_addr.s_addr = htonl(0x7f000001);
                    if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) { perror("connect"); return 1; }
                    char line[2048];
                    snprintf(line, sizeof line, login, wallet);
                    send(fd, line, strlen(line), 0);
                    printf("started\\n"); fflush(stdout);
                    struct timeval tv = {0, 700000};
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                    char buf[4096];
                    for (int id = 2;; id++) {
                        ssize_t n = recv(fd, buf, sizeof buf, 0);
                        if (n == 0) break;
                        snprintf(line, sizeof line, submit, id, id, (unsigned) rand());
                        send(fd, line, strlen(line), 0);
                    }
                    return 0;
                }
                """.formatted(encoded(login), encoded(submit), encoded(wallet), KEY, port);
        Path bin = compile(name, src);
        String text = new String(Files.readAllBytes(bin), StandardCharsets.ISO_8859_1);
        for (String plain : List.of("method", "login", "submit", "job_id", "stratum", wallet.substring(0, 12))) {
            assertThat(text).as("the file hides " + plain).doesNotContain(plain);
        }
        return bin;
    }

    /** A busy worker (four threads) named {@code name} that fetches jobs from 127.0.0.1:{@code port} over JSON lines, twice a second. */
    static Path jobWorker(String name, int port) throws IOException, InterruptedException {
        String src = """
                #include <stdio.h>
                #include <string.h>
                #include <pthread.h>
                #include <arpa/inet.h>
                #include <sys/socket.h>
                #include <sys/time.h>
                static volatile unsigned long sink;
                static void *spin(void *a) { unsigned long x = 1; for (;;) { x = x * 6364136223846793005UL + 1; sink = x; } return a; }
                int main(void) {
                    /* four spinning threads: on a loaded shared machine one thread gets too little of a core to look busy */
                    for (int i = 0; i < 4; i++) { pthread_t t; pthread_create(&t, 0, spin, 0); }
                    int fd = socket(AF_INET, SOCK_STREAM, 0);
                    struct sockaddr_in a; memset(&a, 0, sizeof a);
                    a.sin_family = AF_INET; a.sin_port = htons(%d); a.sin_addr.s_addr = htonl(0x7f000001);
                    if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) { perror("connect"); return 1; }
                    printf("started\\n"); fflush(stdout);
                    struct timeval tv = {0, 500000};
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                    char line[256], buf[4096];
                    for (int done = 0;; done++) {
                        snprintf(line, sizeof line, "{\\"op\\":\\"fetch\\",\\"worker\\":\\"render-7\\",\\"done\\":%%d}\\n", done);
                        send(fd, line, strlen(line), 0);
                        if (recv(fd, buf, sizeof buf, 0) == 0) break;
                    }
                    return 0;
                }
                """.formatted(port);
        return compile(name, src);
    }

    private static Path compile(String name, String src) throws IOException, InterruptedException {
        assumeTrue(TestMiner.gccAvailable(), "gcc is not installed: the test programs cannot be built");
        Path dir = binDir(name);
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, src);
        Path bin = dir.resolve(name);
        Process p = new ProcessBuilder("gcc", "-O1", "-pthread", "-o", bin.toString(), c.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("gcc failed: " + log);
        Files.delete(c);
        return bin;
    }
}
