/**
 * The agent's configuration: one immutable {@link io.assay.agent.config.AgentConfig} built once at
 * start-up from {@code /etc/assay/agent.conf} plus command-line overrides, validated as a whole.
 */
package io.assay.agent.config;
