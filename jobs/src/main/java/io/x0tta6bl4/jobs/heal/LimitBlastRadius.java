package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.DecisionVerdict;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The guard between planning and signing, keyed by scope (a role, e.g. "role=db", or the whole fleet for
 * nodes without one): no more than {@code maxNodes} nodes of a scope may be under remediation at once. A node counts from its command's issue until the
 * command expires. A command that would exceed the limit is withheld and the decision says so; rollbacks
 * always pass, since they undo an action instead of adding one.
 */
public class LimitBlastRadius extends KeyedProcessFunction<String, PlannedCommand, CommandBody> {
    private static final long serialVersionUID = 1L;
    public static final String FLEET = "fleet";

    private final int maxNodes;
    private transient MapState<String, Long> busyUntil;

    public LimitBlastRadius(int maxNodes) {
        if (maxNodes < 1) {
            throw new IllegalArgumentException("blast.radius.max.nodes must be at least 1");
        }
        this.maxNodes = maxNodes;
    }

    @Override
    public void open(OpenContext context) {
        busyUntil = getRuntimeContext().getMapState(new MapStateDescriptor<>("busy-until", String.class, Long.class));
    }

    @Override
    public void processElement(PlannedCommand planned, Context ctx, Collector<CommandBody> out) throws Exception {
        CommandBody command = planned.command;
        long now = ctx.timerService().currentProcessingTime();
        int busy = releaseExpired(now);
        String node = command.getTargetNodeId();
        boolean rollback = command.getCommandId().startsWith("rollback-");
        if (!rollback && !busyUntil.contains(node) && busy >= maxNodes) {
            ctx.output(Decisions.TAG, Decisions.of(command.getIncidentId(), node, now, DecisionVerdict.SKIPPED, command.getAction(),
                    command.getCommandId(), null, "auto", "blast radius: " + busy + " nodes of " + ctx.getCurrentKey()
                            + " already under remediation (limit "
                            + maxNodes + "); " + command.getAction() + " withheld"));
            return;
        }
        Long until = busyUntil.get(node);
        busyUntil.put(node, Math.max(until == null ? 0 : until, command.getExpiresAtMs()));
        ctx.timerService().registerProcessingTimeTimer(command.getExpiresAtMs());
        out.collect(command);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CommandBody> out) throws Exception {
        if (releaseExpired(timestamp) == 0) {
            busyUntil.clear(); // an emptied map still occupies a state entry until it is cleared
        }
    }

    /** Forgets nodes whose commands have expired; returns how many are still under remediation. */
    private int releaseExpired(long now) throws Exception {
        int busy = 0;
        for (Iterator<Map.Entry<String, Long>> it = busyUntil.iterator(); it.hasNext(); ) {
            if (it.next().getValue() <= now) {
                it.remove();
            } else {
                busy++;
            }
        }
        return busy;
    }
}
