package io.assay.protocol;

import java.security.GeneralSecurityException;

/**
 * A signature did not verify. The message names the key id and never any key material.
 * Verification throws this rather than returning false, so a failure cannot be ignored.
 */
public final class VerificationException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }
}
