/*
 * A miner-like test program: hashes in busy threads and logs in to a stratum pool, like XMRig.
 * It mines nothing. Built by the tests; -DPLAIN leaves out the miner strings, so detection of the
 * plain build must come from its command line, config file or behaviour.
 *
 *   miner [-o host:port] [-u wallet] [--donate-level N] [-a algo] [--throttle] [--threads N] [--name NAME]
 *         [--api-port N]
 * Without -o, reads "url" and "user" from config.json in the working directory. --api-port serves a
 * minimal miner API on 127.0.0.1:N from a thread: XMRig-style HTTP for GET /1/summary and /2/summary
 * (404 for other paths), and a cgminer-style NUL-terminated JSON answer to {"command":"summary"}.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PLAIN
const char *miner_strings[] = {"XMRig", "mining.subscribe", "mining.authorize", "stratum+tcp://", "donate-level", "randomx",
                               "RandomX", "cryptonight"};
#define AGENT "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0"
#else
#define AGENT "test/1.0"
#endif

static volatile int throttle = 0;
static int api_port = 0;
static volatile uint64_t sink;

static void *hash_loop(void *arg) {
    (void)arg;
    uint64_t h = 1469598103934665603ULL;
    for (;;) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            for (int i = 0; i < 100000; i++) h = (h ^ (uint64_t)i) * 1099511628211ULL;
            sink = h;
            clock_gettime(CLOCK_MONOTONIC, &t1);
        } while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 10000000L);
        if (throttle) usleep(30000); /* 10 ms busy, 30 ms asleep: ~25% of one core */
    }
    return NULL;
}

static void *api_loop(void *arg) {
    int srv = *(int *)arg;
    for (;;) {
        int c = accept(srv, NULL, NULL);
        if (c < 0) continue;
        char req[2048];
        ssize_t n = recv(c, req, sizeof req - 1, 0);
        req[n > 0 ? n : 0] = 0;
        char out[2048];
        int len;
        if (!strncmp(req, "GET ", 4)) {
            if (!strncmp(req + 4, "/1/summary ", 11) || !strncmp(req + 4, "/2/summary ", 11)) {
                const char *body = "{\"id\":\"a1b2c3d4e5f60718\",\"worker_id\":\"rig1\",\"uptime\":12,\"restricted\":true,"
                                   "\"algo\":\"rx/0\",\"version\":\"6.21.0\",\"kind\":\"miner\",\"ua\":\"" AGENT "\","
                                   "\"donate_level\":1,\"paused\":false,\"hashrate\":{\"total\":[812.4,810.9,null],\"highest\":830.2},"
                                   "\"results\":{\"diff_current\":120001,\"shares_good\":3,\"shares_total\":3}}";
                len = snprintf(out, sizeof out, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                                                "Connection: close\r\n\r\n%s", strlen(body), body);
            } else {
                len = snprintf(out, sizeof out, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        } else if (strstr(req, "summary")) {
            len = snprintf(out, sizeof out,
                           "{\"STATUS\":[{\"STATUS\":\"S\",\"When\":1700000000,\"Code\":11,\"Msg\":\"Summary\","
                           "\"Description\":\"test 1.0\"}],\"SUMMARY\":[{\"Elapsed\":12,\"MHS av\":13500000.0,"
                           "\"MHS 5s\":13490000.0,\"Accepted\":3,\"Rejected\":0,\"Hardware Errors\":0}],\"id\":1}");
            len++; /* the NUL that ends a cgminer answer */
        } else {
            len = 0;
        }
        if (len > 0 && write(c, out, (size_t)len) < 0) perror("write");
        close(c);
    }
    return NULL;
}

static void start_api(void) {
    static int srv;
    srv = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)api_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(srv, (struct sockaddr *)&a, sizeof a) != 0 || listen(srv, 8) != 0) {
        perror("api");
        exit(2);
    }
    pthread_t th;
    pthread_create(&th, NULL, api_loop, &srv);
}

static void read_config(char *url, char *user, size_t n) {
    FILE *f = fopen("config.json", "r");
    if (!f) return;
    char buf[8192];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = 0;
    fclose(f);
    const char *keys[2] = {"\"url\"", "\"user\""};
    char *outs[2] = {url, user};
    for (int k = 0; k < 2; k++) {
        char *p = strstr(buf, keys[k]);
        if (!p) continue;
        p = strchr(p + strlen(keys[k]), '"');
        if (!p) continue;
        p++;
        char *e = strchr(p, '"');
        if (!e) continue;
        size_t l = (size_t)(e - p) < n - 1 ? (size_t)(e - p) : n - 1;
        memcpy(outs[k], p, l);
        outs[k][l] = 0;
    }
}

int main(int argc, char **argv) {
    char url[256] = "", user[256] = "x";
    int threads = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) snprintf(url, sizeof url, "%s", argv[++i]);
        else if (!strcmp(argv[i], "-u") && i + 1 < argc) snprintf(user, sizeof user, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--throttle")) throttle = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--name") && i + 1 < argc) prctl(PR_SET_NAME, argv[++i], 0, 0, 0);
        else if (!strcmp(argv[i], "--api-port") && i + 1 < argc) api_port = atoi(argv[++i]);
    }
    if (api_port) start_api();
    if (!url[0]) read_config(url, user, sizeof url);
    for (int t = 0; t < threads; t++) {
        pthread_t th;
        pthread_create(&th, NULL, hash_loop, NULL);
    }
    char *hostport = strstr(url, "://") ? strstr(url, "://") + 3 : url;
    char *colon = strrchr(hostport, ':');
    int fd = -1;
    if (colon) {
        *colon = 0;
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)atoi(colon + 1));
        inet_pton(AF_INET, hostport, &a.sin_addr);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            char line[1024];
            int n = snprintf(line, sizeof line,
                             "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"%s\",\"pass\":\"x\","
                             "\"agent\":\"%s\",\"algo\":[\"rx/0\"]}}\n"
                             "{\"id\":2,\"method\":\"mining.subscribe\",\"params\":[\"%s\"]}\n",
                             user, AGENT, AGENT);
            if (write(fd, line, (size_t)n) < 0) perror("write");
        } else {
            perror("connect");
        }
    }
    printf("started\n");
    fflush(stdout);
    for (;;) pause();
}
