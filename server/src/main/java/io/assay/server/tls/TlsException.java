package io.assay.server.tls;

/** A certificate or key file cannot be read, parsed or written; the message says which and what to do. */
public final class TlsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
