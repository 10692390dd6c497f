/**
 * The sampling stage: one {@link io.assay.agent.sample.Sampler} per source, each returning an
 * immutable value or the reason it could not (a {@link io.assay.agent.sample.Reading}). State
 * between samples (previous CPU ticks, previous process times) lives in the sampler instance.
 */
package io.assay.agent.sample;
