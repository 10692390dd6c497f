/**
 * The detect stage: rules (data, hashed into every report) over the evidence of a window produce
 * findings and a verdict.
 *
 * <h2>How a verdict is reached</h2>
 *
 * <p>No single signal decides alone unless nothing innocent produces it. Evidence comes in three
 * kinds ({@link io.assay.protocol.Finding.Kind}):
 *
 * <ul>
 *   <li><b>Signatures</b> (each alone means {@code MINING}, and an allowlist never lowers them):
 *       miner code in the executable ({@code sig.exe.miner-strings}: distinct miner strings whose
 *       weights reach {@code binaryThreshold}, found in one Aho–Corasick pass over
 *       {@code /proc/PID/exe}, so renamed and deleted binaries are caught); a miner command line
 *       ({@code sig.cmdline.miner}: stratum URLs, {@code --donate-level}, {@code --randomx-*},
 *       pool domains, base64 forms… whose weights reach {@code commandLineThreshold}, so one weak
 *       fragment such as {@code -a scrypt} is not enough and {@code gcc -o pool.o} matches
 *       nothing); a checksum-valid wallet in the command line ({@code sig.wallet.cmdline}); a miner
 *       configuration the process opened, named with {@code -c}, or runs next to while active
 *       ({@code sig.config.miner}); a program named like a known miner ({@code sig.name.miner}); a
 *       miner API answering on a socket the process listens on ({@code sig.api.miner}: XMRig,
 *       xmr-stak, cgminer-family, T-Rex, NBMiner or Claymore-family answer shapes from the rules,
 *       several keys together; asked only of processes that already have a finding, only on
 *       127.0.0.1 or ::1, once per process and port, a bounded number of connections per cycle);
 *       and a connection to a pool port <em>corroborated by a process signal</em>
 *       ({@code sig.net.pool-endpoint}); and a cgminer-style API answering on the well-known port
 *       4028 on loopback ({@code sig.asic.miner-api}), on its listening process, or host-wide when
 *       that process is not visible.
 *   <li><b>Behaviours</b> of one process, in independence groups: <i>load</i> (sustained share of a
 *       core, full load at positive nice), <i>location</i> (exe in /tmp, /var/tmp, /dev/shm; deleted;
 *       memfd), <i>disguise</i> (a user process posing as a kernel thread, a campaign name, a packed
 *       exe), <i>memory</i> (RandomX-size explicit huge pages), <i>msr</i> ({@code /dev/cpu/N/msr}
 *       open), <i>gpu</i> (sustained GPU compute with no ML, rendering or video library loaded and no
 *       encoder use: {@code beh.gpu.unexplained}; with a pool-port connection it is {@code MINING}).
 *       Findings in one group are facets of one fact and count once. Two weak ones never
 *       count towards {@code MINING}: the name-mismatch ({@code beh.disguise.comm}, many programs set
 *       their own title) and an uncorroborated pool port ({@code beh.net.pool-port}). A memfd exe
 *       ({@code beh.exe.memfd}) is weak when alone: container runtimes re-exec themselves from memfd
 *       ({@code runc_cloned}) and systemd and sandboxes run sealed memfds, so a lone one is reported
 *       as evidence but does not make the window {@code SUSPECT}; with CPU load or another behaviour
 *       of the same process it counts, and as the location group towards {@code MINING}.
 *   <li><b>Host</b> state: a USB device that is mining hardware ({@code host.asic.usb}), bulk
 *       huge-page reservation, {@code /etc/ld.so.preload}, msr writes enabled,
 *       CPU busy time that no visible process accounts for (from {@code /proc/stat} minus the sum of
 *       processes' own and reaped children's ticks, so {@code make -j} is not "hidden"), and pids
 *       reachable by number but missing from the {@code /proc} listing (readdir hooks).
 * </ul>
 *
 * <p>The window's verdict, strongest first:
 *
 * <ol>
 *   <li>{@code MINING} when there is any signature; or one process shows behaviours from two or more
 *       groups, at least one of them a resource group (load, memory, msr, gpu), none allowlisted (a busy
 *       binary run from /tmp; a kthread impostor holding huge pages); or CPU is burnt by no visible
 *       process while pids are hidden or {@code ld.so.preload} is set.
 *   <li>{@code DEGRADED} when the agent could not see what it must (another user's exe or fds
 *       unreadable, {@code /proc/net/tcp} or {@code /proc/stat} missing, no observation). MINING wins
 *       over DEGRADED: what was seen is enough.
 *   <li>{@code SUSPECT} when any unallowlisted behaviour or host finding remains (a lone busy
 *       {@code xz}, a memfd exe that also burns CPU), except a lone memfd exe.
 *   <li>{@code CLEAN} otherwise.
 * </ol>
 *
 * <p>A pool port is weak alone: 443 and 80 carry everything, a shared CDN address can be an old
 * pool's, and render farms, job queues and dev servers listen on 3333-7777. A connection to a pool
 * port becomes a signature ({@code sig.net.pool-endpoint}) only together with a behaviour of that
 * process other than load; with load alone it is {@code beh.net.pool-port} ({@code SUSPECT}), so a
 * busy client of a job server on 4444, or a busy JVM downloading over HTTPS, is never {@code MINING}
 * by its port. The agent never resolves pool domains itself.
 *
 * <h2>How data flows</h2>
 *
 * <p>{@link io.assay.agent.detect.HostSources} does every read (procfs, executables, config files,
 * miner API probes) and {@link io.assay.agent.detect.HardwareSources} the GPUs, ASIC miners and
 * energy counters ({@code io.assay.agent.hardware.*}); they return immutable observations per tick; the pure
 * {@link io.assay.agent.detect.judge.Judge} turns them plus {@link io.assay.agent.detect.Rules} into
 * findings, with its state in one {@link io.assay.agent.detect.judge.Window}, and
 * {@link io.assay.agent.detect.judge.Verdicts} is the one verdict function; {@link
 * io.assay.agent.detect.HostDetector} only passes data between them.
 *
 * <p>The allowlist lowers behaviour findings of matching processes (kept with the reason), never
 * signatures. Signatures are returned by {@link io.assay.agent.detect.Detector#observe} (and by
 * {@link io.assay.agent.detect.Detector#observeNew}, the look at just-exec'd processes between ticks
 * that the kernel's exec events trigger) the first time they are seen, so the agent ships a
 * {@code MINING} report at once.
 */
package io.assay.agent.detect;
