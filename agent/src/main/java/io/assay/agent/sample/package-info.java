/**
 * The sampling stage: one {@link io.assay.agent.sample.Sampler} per source, each returning an
 * immutable value or the reason it could not (a {@link io.assay.agent.sample.Reading}). State
 * between samples (previous CPU ticks, previous process times) lives in the sampler instance.
 *
 * <p>Host CPU comes from OSHI. The per-tick process list does not, although the design names OSHI
 * for it: the detector already reads every {@code /proc/PID} on each tick, and
 * {@link io.assay.agent.sample.ProcessSampler} takes the report's processes from that read. Listing
 * through OSHI as well cost, on a 2-core host with ~70 processes and 1 s samples, about 40 ms of the
 * agent's ~61 ms of CPU per cycle: OSHI 6.9.1's {@code UserGroupInfo.getUser} evaluates
 * {@code getent passwd UID} as the default of a map lookup, so it started one process per process per
 * sample (4,335 process starts in 60 s, seen with JFR's {@code jdk.ProcessStart}). Figures for
 * the change are in the commit that made it.
 */
package io.assay.agent.sample;
