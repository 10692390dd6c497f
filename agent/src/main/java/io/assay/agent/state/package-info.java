/**
 * The agent's state directory: {@code host.key} (Ed25519 seed, 0600), {@code enrollment.json}
 * (host id, collector URL, host token, key id; 0600) and {@code spool.db}. Secret files are
 * created with owner-only permissions from the first byte and replaced atomically.
 */
package io.assay.agent.state;
