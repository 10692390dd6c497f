/**
 * The sampling stage: one {@link io.assay.agent.sample.Sampler} per source, each returning an
 * immutable value or the reason it could not (a {@link io.assay.agent.sample.Reading}). State
 * between samples (previous CPU ticks, previous process times) lives in the sampler instance.
 *
 * <p>Neither sampler uses OSHI, although the design names it for CPU and processes; OSHI stays for
 * the host identity at enrollment (a separate, short-lived command). Measured with
 * {@code ./bench --only agent} on a 2-core host with ~70 processes and 1 s samples:
 * <ul>
 *   <li>Processes: the detector already reads every {@code /proc/PID} on each tick, and
 *       {@link io.assay.agent.sample.ProcessSampler} takes the report's processes from that read.
 *       Listing through OSHI as well took CPU per cycle from 27 ms to 61 ms, mostly because OSHI
 *       6.9.1's {@code UserGroupInfo.getUser} evaluates {@code getent passwd UID} as the default of a
 *       map lookup: one process start per process per sample (4,335 in 60 s, JFR
 *       {@code jdk.ProcessStart}).</li>
 *   <li>Host CPU: {@link io.assay.agent.sample.CpuSampler} reads {@code /proc/stat} and computes
 *       the load as OSHI does. Creating OSHI's {@code SystemInfo} and processor for that one number
 *       loaded ~870 classes (JNA and its native library included): +16 MB RSS in a bare JVM with
 *       the agent's flags.</li>
 * </ul>
 */
package io.assay.agent.sample;
