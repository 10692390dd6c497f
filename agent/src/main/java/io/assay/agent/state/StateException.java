package io.assay.agent.state;

/** A state file is missing, unreadable or damaged; the message says which file and what to do. */
public class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
