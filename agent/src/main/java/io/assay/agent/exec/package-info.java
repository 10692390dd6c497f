/**
 * Kernel exec events: a new program is looked at within a second of its {@code execve}, through the
 * same sources and judge as a periodic sample, instead of at the next sample.
 * {@link io.assay.agent.exec.ProcEvents} is the pure wire format of the process events connector
 * (tested on recorded bytes); {@link io.assay.agent.exec.ExecEvents} owns the netlink socket and its
 * one thread; {@code ExecBatcher} bounds the work (coalescing, a rate limit, a cap on waiting
 * processes). Where the kernel does not allow the subscription the agent samples only and every
 * report's notes say so.
 */
package io.assay.agent.exec;
