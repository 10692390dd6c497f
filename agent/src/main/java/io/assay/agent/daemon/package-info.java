/**
 * The running agent: wires state, samplers, detector, window assembly, spool, shipper and the
 * schedule together for {@code assay-agent run}, and takes them apart again on shutdown.
 */
package io.assay.agent.daemon;
