/*
 * A stand-in for libnvidia-ml.so.1 for tests on hosts without an NVIDIA GPU. It exports the NVML
 * functions the agent calls, with NVML's ABI, and answers from "scenario.txt" in the directory the
 * library was loaded from. The scenario is read again on every nvmlDeviceGetCount_v2, so a test
 * rewrites it between reads to change what the "driver" says. Lines:
 *
 *   initfail CODE                        nvmlInit_v2 returns CODE
 *   countfail CODE                       nvmlDeviceGetCount_v2 returns CODE
 *   device IDX key=value ...             name (underscores become spaces), uuid, pci, util, memutil,
 *                                        memtotal, memused, power (mW), energy (mJ), smclock, memclock,
 *                                        temp, enc, dec
 *   fail IDX WHAT CODE                   WHAT in name uuid pci util mem power energy clock temp enc dec
 *                                        compute graphics samples handle: that call returns CODE
 *   proc IDX compute|graphics PID BYTES  a context (BYTES -1: not available)
 *   sample IDX PID TIMESTAMP_US SM MEM ENC DEC   a per-process utilization sample
 *
 * Built by the tests with: gcc -shared -fPIC -o libnvidia-ml.so.1 fake_nvml.c
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXDEV 8
#define MAXPROC 64
#define NOT_SUPPORTED 3
#define INVALID_ARGUMENT 2
#define NOT_FOUND 6
#define INSUFFICIENT_SIZE 7
#define UNINITIALIZED 1

struct proc { int dev; int compute; unsigned pid; unsigned long long mem; };
struct sample { int dev; unsigned pid; unsigned long long ts; unsigned sm, mem, enc, dec; };
struct fail { int dev; char what[16]; int code; };
struct dev {
    int present;
    char name[64], uuid[80], pci[32];
    unsigned util, memutil, power, smclock, memclock, temp, enc, dec;
    unsigned long long memtotal, memused, energy;
};

static struct dev devs[MAXDEV];
static int ndev, initfail, countfail, inited;
static struct proc procs[MAXPROC];
static int nproc;
static struct sample samples[MAXPROC];
static int nsample;
static struct fail fails[MAXPROC];
static int nfail;

static void load(void) {
    Dl_info info;
    char path[4096];
    memset(devs, 0, sizeof devs);
    ndev = initfail = countfail = nproc = nsample = nfail = 0;
    if (!dladdr((void *) load, &info) || !info.dli_fname) return;
    snprintf(path, sizeof path, "%s", info.dli_fname);
    char file[4200];
    snprintf(file, sizeof file, "%s/scenario.txt", dirname(path));
    FILE *f = fopen(file, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *save, *tok = strtok_r(line, " \t\r\n", &save);
        if (!tok || tok[0] == '#') continue;
        if (!strcmp(tok, "initfail")) initfail = atoi(strtok_r(NULL, " \t\r\n", &save));
        else if (!strcmp(tok, "countfail")) countfail = atoi(strtok_r(NULL, " \t\r\n", &save));
        else if (!strcmp(tok, "device")) {
            int i = atoi(strtok_r(NULL, " \t\r\n", &save));
            if (i < 0 || i >= MAXDEV) continue;
            struct dev *d = &devs[i];
            d->present = 1;
            if (i + 1 > ndev) ndev = i + 1;
            char *kv;
            while ((kv = strtok_r(NULL, " \t\r\n", &save))) {
                char *eq = strchr(kv, '=');
                if (!eq) continue;
                *eq = 0;
                char *v = eq + 1;
                if (!strcmp(kv, "name")) { snprintf(d->name, sizeof d->name, "%s", v); for (char *c = d->name; *c; c++) if (*c == '_') *c = ' '; }
                else if (!strcmp(kv, "uuid")) snprintf(d->uuid, sizeof d->uuid, "%s", v);
                else if (!strcmp(kv, "pci")) snprintf(d->pci, sizeof d->pci, "%s", v);
                else if (!strcmp(kv, "util")) d->util = strtoul(v, 0, 10);
                else if (!strcmp(kv, "memutil")) d->memutil = strtoul(v, 0, 10);
                else if (!strcmp(kv, "memtotal")) d->memtotal = strtoull(v, 0, 10);
                else if (!strcmp(kv, "memused")) d->memused = strtoull(v, 0, 10);
                else if (!strcmp(kv, "power")) d->power = strtoul(v, 0, 10);
                else if (!strcmp(kv, "energy")) d->energy = strtoull(v, 0, 10);
                else if (!strcmp(kv, "smclock")) d->smclock = strtoul(v, 0, 10);
                else if (!strcmp(kv, "memclock")) d->memclock = strtoul(v, 0, 10);
                else if (!strcmp(kv, "temp")) d->temp = strtoul(v, 0, 10);
                else if (!strcmp(kv, "enc")) d->enc = strtoul(v, 0, 10);
                else if (!strcmp(kv, "dec")) d->dec = strtoul(v, 0, 10);
            }
        } else if (!strcmp(tok, "fail") && nfail < MAXPROC) {
            struct fail *x = &fails[nfail++];
            x->dev = atoi(strtok_r(NULL, " \t\r\n", &save));
            snprintf(x->what, sizeof x->what, "%s", strtok_r(NULL, " \t\r\n", &save));
            x->code = atoi(strtok_r(NULL, " \t\r\n", &save));
        } else if (!strcmp(tok, "proc") && nproc < MAXPROC) {
            struct proc *p = &procs[nproc++];
            p->dev = atoi(strtok_r(NULL, " \t\r\n", &save));
            p->compute = !strcmp(strtok_r(NULL, " \t\r\n", &save), "compute");
            p->pid = strtoul(strtok_r(NULL, " \t\r\n", &save), 0, 10);
            p->mem = (unsigned long long) strtoll(strtok_r(NULL, " \t\r\n", &save), 0, 10);
        } else if (!strcmp(tok, "sample") && nsample < MAXPROC) {
            struct sample *s = &samples[nsample++];
            s->dev = atoi(strtok_r(NULL, " \t\r\n", &save));
            s->pid = strtoul(strtok_r(NULL, " \t\r\n", &save), 0, 10);
            s->ts = strtoull(strtok_r(NULL, " \t\r\n", &save), 0, 10);
            s->sm = strtoul(strtok_r(NULL, " \t\r\n", &save), 0, 10);
            s->mem = strtoul(strtok_r(NULL, " \t\r\n", &save), 0, 10);
            s->enc = strtoul(strtok_r(NULL, " \t\r\n", &save), 0, 10);
            s->dec = strtoul(strtok_r(NULL, " \t\r\n", &save), 0, 10);
        }
    }
    fclose(f);
}

/* The handle is a pointer into devs: what the real library hands out is just as opaque. */
static int idx(void *h) {
    struct dev *d = h;
    if (d < devs || d >= devs + MAXDEV || !d->present) return -1;
    return (int) (d - devs);
}

static int failed(int i, const char *what) {
    for (int k = 0; k < nfail; k++) if (fails[k].dev == i && !strcmp(fails[k].what, what)) return fails[k].code;
    return 0;
}

#define DEVICE(h, what) int i = idx(h); if (!inited) return UNINITIALIZED; if (i < 0) return INVALID_ARGUMENT; \
    { int c = failed(i, what); if (c) return c; } struct dev *d = &devs[i]; (void) d;

int nvmlInit_v2(void) { load(); if (initfail) return initfail; inited = 1; return 0; }
int nvmlShutdown(void) { inited = 0; return 0; }
int nvmlSystemGetDriverVersion(char *v, unsigned len) { snprintf(v, len, "fake-1.0"); return 0; }
int nvmlDeviceGetCount_v2(unsigned *n) {
    if (!inited) return UNINITIALIZED;
    load();
    if (countfail) return countfail;
    *n = ndev;
    return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **h) {
    if (!inited) return UNINITIALIZED;
    if (i >= (unsigned) ndev || !devs[i].present) return INVALID_ARGUMENT;
    int c = failed(i, "handle");
    if (c) return c;
    *h = &devs[i];
    return 0;
}
int nvmlDeviceGetName(void *h, char *b, unsigned len) { DEVICE(h, "name") snprintf(b, len, "%s", d->name); return 0; }
int nvmlDeviceGetUUID(void *h, char *b, unsigned len) { DEVICE(h, "uuid") snprintf(b, len, "%s", d->uuid); return 0; }
struct pci { char legacy[16]; unsigned domain, bus, device, id, sub; char busId[32]; };
int nvmlDeviceGetPciInfo_v3(void *h, struct pci *p) { DEVICE(h, "pci") memset(p, 0, sizeof *p); snprintf(p->busId, 32, "%s", d->pci); return 0; }
int nvmlDeviceGetUtilizationRates(void *h, unsigned *u) { DEVICE(h, "util") u[0] = d->util; u[1] = d->memutil; return 0; }
int nvmlDeviceGetMemoryInfo(void *h, unsigned long long *m) { DEVICE(h, "mem") m[0] = d->memtotal; m[1] = d->memtotal - d->memused; m[2] = d->memused; return 0; }
int nvmlDeviceGetPowerUsage(void *h, unsigned *mw) { DEVICE(h, "power") *mw = d->power; return 0; }
int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj) { DEVICE(h, "energy") *mj = d->energy; return 0; }
int nvmlDeviceGetClockInfo(void *h, int type, unsigned *mhz) { DEVICE(h, "clock") *mhz = type == 1 ? d->smclock : type == 2 ? d->memclock : 0; return 0; }
int nvmlDeviceGetTemperature(void *h, int sensor, unsigned *c) { DEVICE(h, "temp") (void) sensor; *c = d->temp; return 0; }
int nvmlDeviceGetEncoderUtilization(void *h, unsigned *u, unsigned *p) { DEVICE(h, "enc") *u = d->enc; *p = 167000; return 0; }
int nvmlDeviceGetDecoderUtilization(void *h, unsigned *u, unsigned *p) { DEVICE(h, "dec") *u = d->dec; *p = 167000; return 0; }

struct pinfo { unsigned pid; unsigned long long mem; unsigned gi, ci; };
static int running(void *h, int compute, unsigned *count, struct pinfo *out) {
    DEVICE(h, compute ? "compute" : "graphics")
    unsigned n = 0;
    for (int k = 0; k < nproc; k++) if (procs[k].dev == i && procs[k].compute == compute) n++;
    if (*count < n || (n > 0 && !out)) { *count = n; return INSUFFICIENT_SIZE; }
    unsigned w = 0;
    for (int k = 0; k < nproc; k++) {
        if (procs[k].dev != i || procs[k].compute != compute) continue;
        out[w].pid = procs[k].pid; out[w].mem = procs[k].mem; out[w].gi = out[w].ci = 0xFFFFFFFF; w++;
    }
    *count = n;
    return 0;
}
int nvmlDeviceGetComputeRunningProcesses_v3(void *h, unsigned *c, struct pinfo *o) { return running(h, 1, c, o); }
int nvmlDeviceGetGraphicsRunningProcesses_v3(void *h, unsigned *c, struct pinfo *o) { return running(h, 0, c, o); }

struct usample { unsigned pid; unsigned long long ts; unsigned sm, mem, enc, dec; };
int nvmlDeviceGetProcessUtilization(void *h, struct usample *out, unsigned *count, unsigned long long last) {
    DEVICE(h, "samples")
    unsigned n = 0;
    for (int k = 0; k < nsample; k++) if (samples[k].dev == i && samples[k].ts > last) n++;
    if (n == 0) return NOT_FOUND;
    if (!out || *count < n) { *count = n; return INSUFFICIENT_SIZE; }
    unsigned w = 0;
    for (int k = 0; k < nsample; k++) {
        struct sample *s = &samples[k];
        if (s->dev != i || s->ts <= last) continue;
        out[w].pid = s->pid; out[w].ts = s->ts; out[w].sm = s->sm; out[w].mem = s->mem; out[w].enc = s->enc; out[w].dec = s->dec; w++;
    }
    *count = n;
    return 0;
}
