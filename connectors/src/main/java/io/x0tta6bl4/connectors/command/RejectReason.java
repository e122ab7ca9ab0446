package io.x0tta6bl4.connectors.command;

/** Why an agent refused a command; reported verbatim in the command result. */
public enum RejectReason {
    MALFORMED,
    OVERSIZED,
    MISSING_SIGNATURE,
    UNKNOWN_KEY,
    BAD_SIGNATURE,
    WRONG_TARGET,
    EXPIRED,
    NOT_YET_VALID,
    REPLAYED,
    POLICY_DENIED,
    UNKNOWN_ACTION,
    /** The fleet-wide kill switch is on. */
    PAUSED
}
