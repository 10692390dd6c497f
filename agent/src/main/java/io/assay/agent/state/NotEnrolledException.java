package io.assay.agent.state;

/** The host has no enrollment in its state directory yet. */
public final class NotEnrolledException extends StateException {
    private static final long serialVersionUID = 1L;

    public NotEnrolledException(String message) {
        super(message);
    }
}
