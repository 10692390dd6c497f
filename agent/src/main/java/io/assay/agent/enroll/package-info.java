/**
 * Enrollment: read the host's hardware identity, make the host key, present both with the
 * operator's enrollment token to the collector, and write the state files it answers with.
 */
package io.assay.agent.enroll;
