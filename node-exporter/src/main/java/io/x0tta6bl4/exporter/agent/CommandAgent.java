package io.x0tta6bl4.exporter.agent;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import io.x0tta6bl4.connectors.command.CommandRejectedException;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.RejectReason;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.SignedCommand;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Execute: the agent's decision for one command, and the result that closes the loop.
 *
 * <p>A command runs only if, in this order: its envelope decodes and is not oversized; every required
 * signature verifies with a trusted key; it targets this node; it is inside its validity window (with a
 * clock-skew allowance); its id was never accepted before; local policy allows the action and its
 * parameters; and an executor for the action exists. The id is recorded as seen before the action runs,
 * so a crash mid-action can never lead to a second run. Every command gets a result, refusals included.
 */
public final class CommandAgent {
    /** Envelopes larger than this are refused before any parsing. */
    public static final int MAX_ENVELOPE_BYTES = 64 * 1024;

    private final String nodeId;
    private final CommandVerifier verifier;
    private final AgentPolicy policy;
    private final Executors executors;
    private final SeenCommands seen;
    private final Clock clock;
    private final Duration clockSkew;
    private final Duration actionTimeout;
    private final boolean dryRun;
    private final AvroCodec<SignedCommand> codec = AvroCodec.of(SignedCommand.class);
    private final ExecutorService runner;
    private final java.util.function.BooleanSupplier paused;

    public CommandAgent(String nodeId, CommandVerifier verifier, AgentPolicy policy, Executors executors, SeenCommands seen,
            Clock clock, Duration clockSkew, Duration actionTimeout, boolean dryRun) {
        this(nodeId, verifier, policy, executors, seen, clock, clockSkew, actionTimeout, dryRun, () -> false);
    }

    /** An agent that also honours a kill switch (see {@link AgentControl#paused()}). */
    public CommandAgent(String nodeId, CommandVerifier verifier, AgentPolicy policy, Executors executors, SeenCommands seen,
            Clock clock, Duration clockSkew, Duration actionTimeout, boolean dryRun, java.util.function.BooleanSupplier paused) {
        this.paused = paused;
        this.nodeId = nodeId;
        this.verifier = verifier;
        this.policy = policy;
        this.executors = executors;
        this.seen = seen;
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.actionTimeout = actionTimeout;
        this.dryRun = dryRun;
        this.runner = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "x0-agent-action-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    public String nodeId() {
        return nodeId;
    }

    /** Handles a command as read from Kafka, bytes and all. */
    public CommandResult handle(byte[] envelope) {
        long received = clock.millis();
        if (envelope != null && envelope.length > MAX_ENVELOPE_BYTES) {
            return refused("unknown", null, null, received,
                    new CommandRejectedException(RejectReason.OVERSIZED, "envelope of " + envelope.length + " bytes"));
        }
        SignedCommand command;
        try {
            command = codec.decode(envelope);
        } catch (UndecodableRecordException e) {
            return refused("unknown", null, null, received, new CommandRejectedException(RejectReason.MALFORMED, e.getMessage()));
        }
        return handle(command, received);
    }

    public CommandResult handle(SignedCommand command) {
        return handle(command, clock.millis());
    }

    private CommandResult handle(SignedCommand command, long received) {
        String claimedId = command.getCommandId() == null ? "unknown" : command.getCommandId();
        CommandBody body;
        try {
            body = verifier.verify(command);
        } catch (CommandRejectedException e) {
            return refused(claimedId, null, null, received, e);
        } catch (RuntimeException e) {
            return refused(claimedId, null, null, received, new CommandRejectedException(RejectReason.MALFORMED, e.toString()));
        }
        // From here on only the signed body is trusted.
        Map<String, String> params = new LinkedHashMap<>();
        for (CommandParameter p : body.getParameters()) {
            params.put(p.getName(), p.getValue());
        }
        try {
            if (!nodeId.equals(body.getTargetNodeId())) {
                throw new CommandRejectedException(RejectReason.WRONG_TARGET, "command is for " + body.getTargetNodeId() + ", this is " + nodeId);
            }
            long now = clock.millis();
            if (now > body.getExpiresAtMs() + clockSkew.toMillis()) {
                throw new CommandRejectedException(RejectReason.EXPIRED, "expired " + (now - body.getExpiresAtMs()) + " ms ago");
            }
            if (body.getIssuedAtMs() > now + clockSkew.toMillis()) {
                throw new CommandRejectedException(RejectReason.NOT_YET_VALID,
                        "issued " + (body.getIssuedAtMs() - now) + " ms in the future (allowed skew " + clockSkew.toMillis() + " ms)");
            }
            if (paused.getAsBoolean()) {
                throw new CommandRejectedException(RejectReason.PAUSED, "the fleet-wide kill switch is on");
            }
            policy.check(body.getAction(), params);
            if (executors.find(body.getAction()) == null) {
                throw new CommandRejectedException(RejectReason.UNKNOWN_ACTION, "no executor for " + body.getAction());
            }
            if (!seen.markIfNew(body.getCommandId(), body.getExpiresAtMs() + clockSkew.toMillis(), now)) {
                throw new CommandRejectedException(RejectReason.REPLAYED, "command " + body.getCommandId() + " was already accepted");
            }
        } catch (CommandRejectedException e) {
            return refused(body.getCommandId(), body.getIncidentId(), body.getAction(), received, e);
        } catch (java.io.IOException e) {
            return result(body.getCommandId(), body.getIncidentId(), body.getAction(), CommandOutcome.FAILED,
                    "cannot record the command in the replay ledger: " + e.getMessage(), received);
        }
        return execute(body, params, received);
    }

    private CommandResult execute(CommandBody body, Map<String, String> params, long received) {
        ActionExecutor executor = executors.find(body.getAction());
        boolean dry = dryRun || body.getDryRun();
        Future<ActionExecutor.Outcome> future = runner.submit(() -> executor.execute(params, dry));
        try {
            ActionExecutor.Outcome outcome = future.get(actionTimeout.toMillis(), TimeUnit.MILLISECONDS);
            CommandOutcome status = !outcome.success() ? CommandOutcome.FAILED : dry ? CommandOutcome.DRY_RUN : CommandOutcome.EXECUTED;
            return result(body.getCommandId(), body.getIncidentId(), body.getAction(), status, outcome.detail(), received);
        } catch (TimeoutException e) {
            future.cancel(true);
            return result(body.getCommandId(), body.getIncidentId(), body.getAction(), CommandOutcome.TIMED_OUT,
                    "no outcome within " + actionTimeout.toMillis() + " ms", received);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return result(body.getCommandId(), body.getIncidentId(), body.getAction(), CommandOutcome.FAILED, "agent interrupted", received);
        } catch (java.util.concurrent.ExecutionException e) {
            return result(body.getCommandId(), body.getIncidentId(), body.getAction(), CommandOutcome.FAILED,
                    "executor failed: " + e.getCause(), received);
        }
    }

    private CommandResult refused(String commandId, String incidentId, String action, long received, CommandRejectedException e) {
        return result(commandId, incidentId, action, CommandOutcome.REFUSED, e.getMessage(), received);
    }

    private CommandResult result(String commandId, String incidentId, String action, CommandOutcome outcome, String reason, long received) {
        return CommandResult.newBuilder()
                .setCommandId(commandId)
                .setNodeId(nodeId)
                .setIncidentId(incidentId)
                .setAction(action)
                .setOutcome(outcome)
                .setReason(reason == null ? "" : reason)
                .setReceivedAtMs(received)
                .setFinishedAtMs(clock.millis())
                .build();
    }

    public void shutdown() {
        runner.shutdownNow();
    }
}
