/**
 * The cgminer/bmminer RPC API (TCP 4028 by default) that ASIC rigs and their controllers serve:
 * asked on loopback, within a time and byte budget, what it is mining.
 */
package io.assay.agent.hardware.cgminer;
