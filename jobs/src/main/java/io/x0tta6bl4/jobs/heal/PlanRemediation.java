package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.Incident;
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
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Plan: turns an incident into at most one command for the node of its top root cause (keyed by that node),
 * and learns from command results.
 *
 * <p>The playbook rule that matches the top cause lists candidate actions; candidates are ordered by what
 * results taught (success rate per fault kind and action, kept as state), and an action still in its
 * per-node cooldown is skipped. Resolved incidents and causes no rule matches produce nothing. Cooldown
 * entries are removed by a timer when they expire, so state stays bounded by the actions in use.
 *
 * <p>Command ids are derived from incident, revision and action: a replay after a failure produces the
 * same id, which agents refuse to run twice.
 */
public class PlanRemediation extends KeyedCoProcessFunction<String, Incident, CommandResult, CommandBody> {
    private static final long serialVersionUID = 1L;

    private final Playbook playbook;
    private final long cooldownMs;
    private final long commandTtlMs;
    private transient MapState<String, Long> lastIssued;
    private transient MapState<String, ActionStats> stats;
    /** Commands awaiting their result: command id to "faultKind|issuedAtMs", to credit the result to the right kind. */
    private transient MapState<String, String> awaiting;

    public PlanRemediation(Playbook playbook, long cooldownMs, long commandTtlMs) {
        this.playbook = playbook;
        this.cooldownMs = cooldownMs;
        this.commandTtlMs = commandTtlMs;
    }

    @Override
    public void open(OpenContext context) {
        lastIssued = getRuntimeContext().getMapState(new MapStateDescriptor<>("last-issued", String.class, Long.class));
        stats = getRuntimeContext().getMapState(new MapStateDescriptor<>("action-stats", String.class, ActionStats.class));
        awaiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("awaiting-result", String.class, String.class));
    }

    @Override
    public void processElement1(Incident incident, Context ctx, Collector<CommandBody> out) throws Exception {
        if (incident.getStatus() == IncidentStatus.RESOLVED || incident.getRootCauses().isEmpty()) {
            return;
        }
        RootCause cause = incident.getRootCauses().get(0);
        Playbook.Rule rule = playbook.match(cause.getKind(), cause.getMetric(), cause.getScore());
        if (rule == null) {
            return; // no rule: nothing safe to do automatically (the incident itself is indexed for humans)
        }
        long now = ctx.timerService().currentProcessingTime();
        List<Playbook.Step> candidates = new ArrayList<>(rule.actions());
        // Stable sort: the playbook's order decides among actions with the same record.
        List<Double> rates = new ArrayList<>();
        for (Playbook.Step step : candidates) {
            rates.add(rate(cause.getKind(), step.action()));
        }
        Integer[] order = new Integer[candidates.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -rates.get(i)));
        for (int i : order) {
            Playbook.Step step = candidates.get(i);
            Long last = lastIssued.get(step.action());
            if (last != null && now - last < cooldownMs) {
                continue;
            }
            lastIssued.put(step.action(), now);
            ctx.timerService().registerProcessingTimeTimer(now + cooldownMs);
            CommandBody command = command(incident, cause, step, now);
            awaiting.put(command.getCommandId(), cause.getKind() + "|" + now);
            ctx.timerService().registerProcessingTimeTimer(now + 2 * commandTtlMs);
            out.collect(command);
            return;
        }
    }

    @Override
    public void processElement2(CommandResult result, Context ctx, Collector<CommandBody> out) throws Exception {
        if (result.getAction() == null || result.getOutcome() == CommandOutcome.DRY_RUN) {
            return;
        }
        String pending = awaiting.get(result.getCommandId());
        if (pending == null) {
            return; // not issued by this key's plan (or long expired): nothing to learn from
        }
        awaiting.remove(result.getCommandId());
        String key = pending.substring(0, pending.indexOf('|')) + "|" + result.getAction();
        ActionStats s = stats.get(key);
        if (s == null) {
            s = new ActionStats();
        }
        if (result.getOutcome() == CommandOutcome.EXECUTED) {
            s.successes++;
        } else {
            s.failures++;
        }
        stats.put(key, s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CommandBody> out) throws Exception {
        Iterator<Map.Entry<String, Long>> it = lastIssued.iterator();
        while (it.hasNext()) {
            if (timestamp - it.next().getValue() >= cooldownMs) {
                it.remove();
            }
        }
        Iterator<Map.Entry<String, String>> pending = awaiting.iterator();
        while (pending.hasNext()) {
            String value = pending.next().getValue();
            if (timestamp - Long.parseLong(value.substring(value.indexOf('|') + 1)) >= 2 * commandTtlMs) {
                pending.remove(); // no result within twice the command's lifetime: it will not come
            }
        }
        // An emptied map still occupies a state entry until it is cleared.
        if (lastIssued.isEmpty()) {
            lastIssued.clear();
        }
        if (awaiting.isEmpty()) {
            awaiting.clear();
        }
    }

    private double rate(String kind, String action) throws Exception {
        ActionStats s = stats.get(kind + "|" + action);
        return s == null ? new ActionStats().successRate() : s.successRate();
    }

    private CommandBody command(Incident incident, RootCause cause, Playbook.Step step, long now) {
        String idSeed = incident.getIncidentId() + "|" + incident.getRevision() + "|" + step.action();
        List<CommandParameter> params = new ArrayList<>();
        step.params().forEach((k, v) -> params.add(new CommandParameter(k, v)));
        params.add(new CommandParameter("fault_kind", cause.getKind()));
        params.sort(Comparator.comparing(CommandParameter::getName));
        return CommandBody.newBuilder()
                .setCommandId(UUID.nameUUIDFromBytes(idSeed.getBytes(StandardCharsets.UTF_8)).toString())
                .setIncidentId(incident.getIncidentId())
                .setTargetNodeId(cause.getNodeId())
                .setAction(step.action())
                .setParameters(params)
                .setIssuedAtMs(now)
                .setExpiresAtMs(now + commandTtlMs)
                .setNonce(UUID.randomUUID().toString())
                .setPolicyVersion(playbook.version())
                .setDryRun(false)
                .build();
    }
}
