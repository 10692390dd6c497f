/**
 * The wire contract shared by agent and collector: the {@link io.assay.protocol.Report} and its
 * parts, the DSSE-style {@link io.assay.protocol.Envelope} that signs a report's exact payload
 * bytes, Ed25519 signing and verification, and the per-host hash chain. Pure logic, no I/O.
 */
package io.assay.protocol;
