/**
 * Operators, groups and pledges: which operator owns a host and which groups (site, rack, tags) it
 * carries, what a token may see ({@link io.assay.server.fleet.Scope}), and the pledges an operator
 * signs for a set of hosts and a period ({@link io.assay.server.fleet.Pledges}). Routes:
 * {@link io.assay.server.fleet.FleetRoutes}.
 */
package io.assay.server.fleet;
