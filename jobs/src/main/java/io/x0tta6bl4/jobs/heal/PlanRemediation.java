package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.DecisionVerdict;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentResolution;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Plan: decides what to do about each incident, keyed by the node of its top root cause, under the
 * operators' control settings (broadcast from the compacted control topic). Every decision, including
 * deciding to do nothing, goes to the {@link Decisions#TAG} side output with its reason.
 *
 * <p>For an open incident the matching playbook rule's actions are candidates, ordered by what results
 * taught (success rate per fault kind and action) and then by the playbook. One action at a time:
 * <ul>
 *   <li>the kill switch pauses everything; suggest mode only records what would be done;</li>
 *   <li>risk {@code never} is skipped, {@code approve} is proposed and issued once when approved
 *       (a duplicate approval finds nothing left to approve), {@code auto} is issued at once;</li>
 *   <li>an action in its per-node cooldown is skipped;</li>
 *   <li>after a command the incident must resolve within the verification window; if the agent refuses or
 *       fails, or the window passes, the next candidate is tried (escalation); if the incident got worse
 *       after a reversible action, its rollback is issued first.</li>
 * </ul>
 * Resolution after an action counts as the action's success. State per node: cooldowns, open plans,
 * pending proposals and the learnt success rates; timers remove expired cooldowns and stale plans.
 */
public class PlanRemediation extends KeyedBroadcastProcessFunction<String, PlanInput, ControlRecord, PlannedCommand> {
    private static final long serialVersionUID = 1L;

    /** The control settings, latest per setting id. */
    public static final MapStateDescriptor<String, ControlRecord> CONTROL =
            new MapStateDescriptor<>("control", TypeInformation.of(String.class), TypeInformation.of(ControlRecord.class));
    static final MapStateDescriptor<String, CommandBody> PROPOSALS =
            new MapStateDescriptor<>("proposals", TypeInformation.of(String.class), TypeInformation.of(CommandBody.class));

    /** How much worse (severity) an incident must get after an action for the action to be rolled back. */
    static final double WORSE_BY = 0.05;

    private final Playbook playbook;
    private final HealSettings settings;
    private transient MapState<String, Long> lastIssued;
    private transient MapState<String, ActionStats> stats;
    private transient MapState<String, IncidentPlan> plans;
    private transient MapState<String, CommandBody> proposals;

    public PlanRemediation(Playbook playbook, HealSettings settings) {
        this.playbook = playbook;
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        lastIssued = getRuntimeContext().getMapState(new MapStateDescriptor<>("last-issued", String.class, Long.class));
        stats = getRuntimeContext().getMapState(new MapStateDescriptor<>("action-stats", String.class, ActionStats.class));
        plans = getRuntimeContext().getMapState(new MapStateDescriptor<>("plans", String.class, IncidentPlan.class));
        proposals = getRuntimeContext().getMapState(PROPOSALS);
    }

    // ---------------------------------------------------------------- incidents and results

    @Override
    public void processElement(PlanInput input, ReadOnlyContext ctx, Collector<PlannedCommand> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (input.incident != null) {
            onIncident(input.incident, ctx, out, now);
        } else if (input.result != null) {
            onResult(input.result, ctx, out, now);
        }
    }

    private void onIncident(Incident incident, ReadOnlyContext ctx, Collector<PlannedCommand> out, long now) throws Exception {
        String node = HealJob.targetNode(incident);
        IncidentPlan plan = plans.get(incident.getIncidentId());
        if (incident.getStatus() == IncidentStatus.RESOLVED) {
            if (plan != null) {
                if (plan.awaitingAction != null && plan.executed) {
                    verify(plan, incident.getResolution(), ctx, now);
                }
                plans.remove(incident.getIncidentId());
                proposals.remove(plan.awaitingCommandId == null ? "" : plan.awaitingCommandId);
                clearIfEmpty();
            }
            return;
        }
        if (incident.getRootCauses().isEmpty()) {
            decide(ctx, incident, DecisionVerdict.SKIPPED, null, null, null, "incident has no ranked root cause", now);
            return;
        }
        if (plan == null && incident.getAttributedTo() != null && plans.contains(incident.getAttributedTo())) {
            // A victim of a dependency whose own incident is being remediated: one remediation per culprit, not one
            // per victim (a second plan would only escalate to the next action while the first cools down).
            decide(ctx, incident, DecisionVerdict.SKIPPED, null, null, null, "a symptom of " + incident.getAttributedTo()
                    + ", which is being remediated", now);
            return;
        }
        if (plan != null) {
            // A known incident was updated: roll back an action that made it worse, otherwise keep waiting.
            double before = plan.severityAtAction;
            plan.incident = incident;
            if (plan.awaitingAction != null && plan.executed && incident.getSeverity() > before + WORSE_BY) {
                Playbook.Step step = step(plan);
                if (step != null && step.rollback() != null) {
                    CommandBody rollback = command(incident, step.rollback(), now, "rollback-" + plan.awaitingCommandId);
                    out.collect(new PlannedCommand(rollback, PlannedCommand.scopeOf(incident.getLabels())));
                    decide(ctx, incident, DecisionVerdict.ROLLED_BACK, step.rollback().action(), rollback.getCommandId(), plan.rule,
                            String.format("severity rose from %.2f to %.2f after %s", before, incident.getSeverity(), plan.awaitingAction), now);
                }
                learn(plan, false);
                escalate(plan, ctx, out, now, "incident got worse after " + plan.awaitingAction);
            }
            plans.put(incident.getIncidentId(), plan);
            return;
        }
        RootCause cause = incident.getRootCauses().get(0);
        Playbook.Rule rule = playbook.match(cause.getKind(), cause.getMetric(), cause.getScore(), incident.getLabels(), incident.getSeverity());
        if (rule == null) {
            Playbook.Rule lowConfidence = playbook.match(cause.getKind(), cause.getMetric(), 1.0, incident.getLabels(), 1.0);
            decide(ctx, incident, DecisionVerdict.SKIPPED, null, null, lowConfidence == null ? null : lowConfidence.name(),
                    lowConfidence == null
                            ? "no playbook rule for " + cause.getKind() + " on " + cause.getMetric() + ": notify only"
                            : String.format("root cause confidence %.2f is below the rule's minimum: notify only", cause.getScore()),
                    now);
            return;
        }
        plan = new IncidentPlan();
        plan.incident = incident;
        plan.rule = rule.name();
        plan.openedAtMs = now;
        ctx.timerService().registerProcessingTimeTimer(now + settings.planMaxAgeMs());
        next(plan, ctx, out, now, node);
        plans.put(incident.getIncidentId(), plan);
    }

    /**
     * Verifies an executed action by how its incident ended. Only a recovery counts for the action: a node that went
     * silent after it (an action that took it down, or a node that failed outright) or an incident that outlived its
     * maximum age counts against it, so the playbook learns to prefer actions that are seen to work. A RESOLVED incident
     * without a resolution was written before incidents had one, when resolved meant recovered.
     */
    private void verify(IncidentPlan plan, IncidentResolution resolution, ReadOnlyContext ctx, long now) throws Exception {
        boolean recovered = resolution == null || resolution == IncidentResolution.RECOVERED;
        learn(plan, recovered);
        if (recovered) {
            decide(ctx, plan.incident, DecisionVerdict.VERIFIED, plan.awaitingAction, plan.awaitingCommandId, plan.rule,
                    "incident resolved after " + plan.awaitingAction, now);
        } else {
            decide(ctx, plan.incident, DecisionVerdict.NOT_RECOVERED, plan.awaitingAction, plan.awaitingCommandId, plan.rule,
                    resolution == IncidentResolution.WENT_SILENT
                            ? "incident ended after " + plan.awaitingAction + " because the node (or a series of it) went silent, not because it recovered"
                            : "incident ended after " + plan.awaitingAction + " without a recovery (" + resolution + ")",
                    now);
        }
    }

    private void onResult(CommandResult result, ReadOnlyContext ctx, Collector<PlannedCommand> out, long now) throws Exception {
        for (Map.Entry<String, IncidentPlan> e : plans.entries()) {
            IncidentPlan plan = e.getValue();
            if (!result.getCommandId().equals(plan.awaitingCommandId)) {
                continue;
            }
            if (result.getOutcome() == CommandOutcome.EXECUTED) {
                plan.executed = true;
                plans.put(e.getKey(), plan);
            } else if (result.getOutcome() != CommandOutcome.DRY_RUN) {
                learn(plan, false);
                escalate(plan, ctx, out, now, "agent reported " + result.getOutcome() + ": " + result.getReason());
                plans.put(e.getKey(), plan);
            }
            return;
        }
    }

    // ---------------------------------------------------------------- control settings

    @Override
    public void processBroadcastElement(ControlRecord control, Context ctx, Collector<PlannedCommand> out) throws Exception {
        BroadcastState<String, ControlRecord> state = ctx.getBroadcastState(CONTROL);
        if (control.getSettingId().startsWith(ControlSettings.APPROVAL_PREFIX)) {
            if (state.contains(control.getSettingId())) {
                return; // approved before: approving twice never runs a command twice
            }
            state.put(control.getSettingId(), control);
            String proposalId = control.getSettingId().substring(ControlSettings.APPROVAL_PREFIX.length());
            long now = ctx.currentProcessingTime();
            ctx.applyToKeyedState(PROPOSALS, (node, pending) -> {
                CommandBody proposed = pending.get(proposalId);
                if (proposed != null) {
                    pending.remove(proposalId);
                    // Valid from the approval on: the proposal may have waited longer than a command lives.
                    CommandBody approved = CommandBody.newBuilder(proposed).setIssuedAtMs(now)
                            .setExpiresAtMs(now + settings.commandTtlMs()).build();
                    out.collect(new PlannedCommand(approved, proposalScope(approved)));
                    ctx.output(Decisions.TAG, Decisions.of(approved.getIncidentId(), node, now, DecisionVerdict.APPROVED,
                            approved.getAction(), approved.getCommandId(), null, "auto",
                            "approved by " + control.getAuthor() + "; command issued"));
                }
            });
        } else {
            state.put(control.getSettingId(), control);
        }
    }

    // ---------------------------------------------------------------- timers

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PlannedCommand> out) throws Exception {
        Iterator<Map.Entry<String, Long>> cooldowns = lastIssued.iterator();
        while (cooldowns.hasNext()) {
            if (timestamp - cooldowns.next().getValue() >= settings.cooldownMs()) {
                cooldowns.remove();
            }
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, IncidentPlan> e : plans.entries()) {
            IncidentPlan plan = e.getValue();
            if (timestamp - plan.openedAtMs >= settings.planMaxAgeMs()) {
                stale.add(e.getKey());
            } else if (plan.awaitingAction != null && plan.verifyAtMs != 0 && timestamp >= plan.verifyAtMs) {
                learn(plan, false);
                escalate(plan, ctx, out, timestamp, "incident not resolved within " + settings.verifyWindowMs() + " ms of "
                        + plan.awaitingAction);
                plans.put(e.getKey(), plan);
            }
        }
        for (String id : stale) {
            IncidentPlan plan = plans.get(id);
            if (plan.awaitingCommandId != null) {
                proposals.remove(plan.awaitingCommandId);
            }
            plans.remove(id);
        }
        clearIfEmpty();
    }

    // ---------------------------------------------------------------- the decision itself

    private void escalate(IncidentPlan plan, ReadOnlyContext ctx, Collector<PlannedCommand> out, long now, String why) throws Exception {
        decide(ctx, plan.incident, DecisionVerdict.ESCALATED, plan.awaitingAction, plan.awaitingCommandId, plan.rule, why, now);
        plan.awaitingAction = null;
        plan.awaitingCommandId = null;
        plan.executed = false;
        plan.verifyAtMs = 0;
        next(plan, ctx, out, now, HealJob.targetNode(plan.incident));
    }

    /** Tries the next candidate action of the plan's rule. */
    private void next(IncidentPlan plan, ReadOnlyContext ctx, Collector<PlannedCommand> out, long now, String node) throws Exception {
        Incident incident = plan.incident;
        ReadOnlyBroadcastState<String, ControlRecord> control = ctx.getBroadcastState(CONTROL);
        if (ControlSettings.paused(control.get(ControlSettings.KILL_SWITCH))) {
            decide(ctx, incident, DecisionVerdict.SKIPPED, null, null, plan.rule, "paused by the kill switch", now);
            return;
        }
        ControlSettings.HealPolicy policy = control.contains(ControlSettings.HEAL_POLICY)
                ? ControlSettings.healPolicy(control.get(ControlSettings.HEAL_POLICY)) : settings.defaultPolicy();
        String kind = incident.getRootCauses().get(0).getKind();
        Playbook.Rule rule = playbook.rule(plan.rule);
        List<Playbook.Step> candidates = new ArrayList<>(rule.actions());
        Map<String, Double> rates = new java.util.HashMap<>();
        for (Playbook.Step step : rule.actions()) {
            rates.put(step.action(), rate(kind, step.action()));
        }
        // Stable: among equal success rates the playbook's order stands.
        candidates.sort(Comparator.comparingDouble(s -> -rates.get(s.action())));
        List<String> skipped = new ArrayList<>();
        for (Playbook.Step step : candidates) {
            if (plan.hasTried(step.action())) {
                continue;
            }
            Long last = lastIssued.get(step.action());
            if (last != null && now - last < settings.cooldownMs()) {
                skipped.add(step.action() + " (cooling down)");
                continue;
            }
            if (step.risk() == Playbook.Risk.NEVER) {
                plan.markTried(step.action());
                skipped.add(step.action() + " (risk never)");
                continue;
            }
            plan.markTried(step.action());
            if (policy.suggestOnly(node, incident.getLabels())) {
                decide(ctx, incident, DecisionVerdict.SUGGESTED, step.action(), null, plan.rule, "suggest mode: " + step.action()
                        + " would be " + (step.risk() == Playbook.Risk.APPROVE ? "proposed" : "issued"), now);
                return;
            }
            CommandBody command = command(incident, step, now, null);
            if (policy.dryRun()) {
                command.setDryRun(true);
            }
            plan.awaitingAction = step.action();
            plan.awaitingCommandId = command.getCommandId();
            plan.severityAtAction = incident.getSeverity();
            plan.executed = false;
            lastIssued.put(step.action(), now);
            ctx.timerService().registerProcessingTimeTimer(now + settings.cooldownMs());
            String mode = policy.dryRun() ? "dry-run" : "auto";
            if (step.risk() == Playbook.Risk.APPROVE) {
                // The blast-radius scope travels with the proposal, as a parameter HealJob strips before signing.
                proposals.put(command.getCommandId(), withScope(command, PlannedCommand.scopeOf(incident.getLabels())));
                decide(ctx, incident, DecisionVerdict.PROPOSED, step.action(), command.getCommandId(), plan.rule,
                        "awaiting approval " + ControlSettings.APPROVAL_PREFIX + command.getCommandId() + "; evidence: "
                                + evidence(incident), now);
            } else {
                plan.verifyAtMs = now + settings.verifyWindowMs();
                ctx.timerService().registerProcessingTimeTimer(plan.verifyAtMs);
                out.collect(new PlannedCommand(command, PlannedCommand.scopeOf(incident.getLabels())));
                decide(ctx, incident, DecisionVerdict.COMMAND_ISSUED, step.action(), command.getCommandId(), plan.rule,
                        mode.equals("dry-run") ? "global dry run: the agent verifies but does not execute" : "top cause " + evidence(incident),
                        now);
            }
            return;
        }
        decide(ctx, incident, DecisionVerdict.SKIPPED, null, null, plan.rule, "no candidate action left"
                + (skipped.isEmpty() ? "" : ": " + String.join(", ", skipped)) + "; tried: " + plan.tried, now);
    }

    private static final String SCOPE_PARAMETER = "x0.scope";

    private static CommandBody withScope(CommandBody command, String scope) {
        List<CommandParameter> params = new ArrayList<>(command.getParameters());
        params.add(new CommandParameter(SCOPE_PARAMETER, scope));
        return CommandBody.newBuilder(command).setParameters(params).build();
    }

    /** The scope a proposal was made in; the approved command goes out without the internal parameter. */
    private static String proposalScope(CommandBody approved) {
        String scope = LimitBlastRadius.FLEET;
        for (Iterator<CommandParameter> it = approved.getParameters().iterator(); it.hasNext(); ) {
            CommandParameter p = it.next();
            if (p.getName().equals(SCOPE_PARAMETER)) {
                scope = p.getValue();
            }
        }
        List<CommandParameter> params = new ArrayList<>(approved.getParameters());
        params.removeIf(p -> p.getName().equals(SCOPE_PARAMETER));
        approved.setParameters(params);
        return scope;
    }

    private Playbook.Step step(IncidentPlan plan) {
        Playbook.Rule rule = playbook.rule(plan.rule);
        for (Playbook.Step step : rule.actions()) {
            if (step.action().equals(plan.awaitingAction)) {
                return step;
            }
        }
        return null;
    }

    private void learn(IncidentPlan plan, boolean success) throws Exception {
        String key = plan.incident.getRootCauses().get(0).getKind() + "|" + plan.awaitingAction;
        ActionStats s = stats.get(key);
        if (s == null) {
            s = new ActionStats();
        }
        if (success) {
            s.successes++;
        } else {
            s.failures++;
        }
        stats.put(key, s);
    }

    private double rate(String kind, String action) throws Exception {
        ActionStats s = stats.get(kind + "|" + action);
        return s == null ? new ActionStats().successRate() : s.successRate();
    }

    private void clearIfEmpty() throws Exception {
        // An emptied map still occupies a state entry until it is cleared.
        if (lastIssued.isEmpty()) {
            lastIssued.clear();
        }
        if (plans.isEmpty()) {
            plans.clear();
        }
        if (proposals.isEmpty()) {
            proposals.clear();
        }
    }

    private static String evidence(Incident incident) {
        RootCause cause = incident.getRootCauses().get(0);
        return String.format("%s on %s (%s, score %.2f)", cause.getMetric(), cause.getNodeId(), cause.getKind(), cause.getScore());
    }

    private void decide(ReadOnlyContext ctx, Incident incident, DecisionVerdict verdict, String action, String commandId, String rule,
            String reason, long now) {
        ctx.output(Decisions.TAG, Decisions.of(incident.getIncidentId(), HealJob.targetNode(incident), now, verdict, action, commandId,
                rule, "auto", reason));
    }

    private CommandBody command(Incident incident, Playbook.Step step, long now, String idOverride) {
        RootCause cause = incident.getRootCauses().get(0);
        String idSeed = incident.getIncidentId() + "|" + step.action() + "|" + step.params();
        List<CommandParameter> params = new ArrayList<>();
        step.params().forEach((k, v) -> params.add(new CommandParameter(k, v)));
        params.add(new CommandParameter("fault_kind", cause.getKind()));
        params.sort(Comparator.comparing(CommandParameter::getName));
        return CommandBody.newBuilder()
                .setCommandId(idOverride != null ? idOverride
                        : UUID.nameUUIDFromBytes(idSeed.getBytes(StandardCharsets.UTF_8)).toString())
                .setIncidentId(incident.getIncidentId())
                .setTargetNodeId(cause.getNodeId())
                .setAction(step.action())
                .setParameters(params)
                .setIssuedAtMs(now)
                .setExpiresAtMs(now + settings.commandTtlMs())
                .setNonce(UUID.randomUUID().toString())
                .setPolicyVersion(playbook.version())
                .setDryRun(false)
                .build();
    }
}
