/**
 * Regulator IP lists: which host held which address when ({@link io.assay.server.ipcheck.AddressBook},
 * fed by every stored report: the addresses the agent states and the address the upload came
 * from), and answers per listed address or CIDR with the hosts that held it, their verdicts and
 * evidence then ({@link io.assay.server.ipcheck.IpChecks}; {@code POST /api/v1/ip-checks},
 * {@code assay-server ip-check FILE}).
 */
package io.assay.server.ipcheck;
