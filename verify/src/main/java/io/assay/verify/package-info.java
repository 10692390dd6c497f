/**
 * {@code assay-verify}: verifies an evidence bundle offline with nothing but the protocol module
 * ({@link io.assay.verify.BundleVerifier}) and prints the period's coverage
 * ({@link io.assay.verify.VerifyMain}). Exit 0 valid and complete, 1 invalid, 2 valid with gaps,
 * 3 usage or unreadable input.
 */
package io.assay.verify;
