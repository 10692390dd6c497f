/**
 * The agent's optional local metrics port ({@code metrics.listen}): Prometheus text written by hand
 * and served by the JDK's {@code com.sun.net.httpserver} on a loopback address. Nothing in this
 * package is loaded unless the key is set: the agent's memory goal counts every class, and a
 * metrics library would cost more than the few lines of text format it would write.
 */
package io.assay.agent.metrics;
