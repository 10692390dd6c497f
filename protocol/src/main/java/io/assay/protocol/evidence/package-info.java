/** The evidence bundle format an auditor verifies offline ({@link io.assay.protocol.evidence.EvidenceBundle}). */
package io.assay.protocol.evidence;
