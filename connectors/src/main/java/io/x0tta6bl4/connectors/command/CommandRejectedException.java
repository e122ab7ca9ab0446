package io.x0tta6bl4.connectors.command;

/** A command that must not run, with the reason the agent reports. */
public final class CommandRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public CommandRejectedException(RejectReason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
