package io.assay.protocol;

/** A message that does not follow the wire format: malformed JSON, a missing or bad field. */
public final class ProtocolException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    public ProtocolException(String message) {
        super(message);
    }
}
