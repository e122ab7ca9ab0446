package io.x0tta6bl4.connectors;

/** Input that cannot be turned into a record; its message is the dead-letter reason. */
public final class UndecodableRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public UndecodableRecordException(String reason) {
        super(reason);
    }

    public UndecodableRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
