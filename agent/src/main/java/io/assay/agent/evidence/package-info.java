/**
 * Evidence sources for the detector: each reads one kind of host state from injectable roots
 * ({@code /proc}, {@code /sys}, {@code /etc}) and returns immutable values. The parsers in
 * {@link io.assay.agent.evidence.ProcParsers} take strings and lines, never paths, so tests feed
 * them captured text. Sources never throw on a missing or unreadable file: they return what they
 * could read and say what they could not, so the detector can mark a window {@code DEGRADED}.
 *
 * <p>Two readers look closer at a process and are used only for processes in question:
 * {@link io.assay.agent.evidence.PacketCapture} (a passive AF_PACKET sample of one connection, JNA,
 * needs {@code CAP_NET_RAW}) and {@link io.assay.agent.evidence.MemoryScanner} (anonymous and heap
 * memory through {@code /proc/PID/mem}, needs {@code CAP_SYS_PTRACE}).
 */
package io.assay.agent.evidence;
