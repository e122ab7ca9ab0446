package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.DecisionVerdict;
import io.x0tta6bl4.schema.NodeInfo;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The guard between planning and signing, keyed by scope (a role, e.g. "role=db", or the whole fleet for nodes
 * without one): no more than {@code maxPercent} of a scope's nodes, and never more than {@code maxNodes}, may be
 * under remediation at once. Scope sizes come from the fleet inventory DetectJob publishes (nodes seen within
 * {@code staleAfterMs}); one node of a scope may always be under remediation, so a small role can still be
 * healed, and a scope the inventory does not know yet is held to {@code maxNodes} alone.
 *
 * <p>A node counts from its command's issue until the command expires. A command that would exceed the limit is
 * withheld and the decision says so; rollbacks always pass, since they undo an action instead of adding one.
 */
public class LimitBlastRadius extends KeyedBroadcastProcessFunction<String, PlannedCommand, NodeInfo, CommandBody> {
    private static final long serialVersionUID = 1L;
    public static final String FLEET = "fleet";
    /** The inventory, by node id: "scope|lastSeenMs". */
    public static final MapStateDescriptor<String, String> INVENTORY = new MapStateDescriptor<>("inventory", Types.STRING, Types.STRING);

    private final int maxNodes;
    private final double maxPercent;
    private final long staleAfterMs;
    private transient MapState<String, Long> busyUntil;

    public LimitBlastRadius(int maxNodes, double maxPercent, long staleAfterMs) {
        if (maxNodes < 1) {
            throw new IllegalArgumentException("blast.radius.max.nodes must be at least 1");
        }
        if (!(maxPercent > 0 && maxPercent <= 100)) {
            throw new IllegalArgumentException("blast.radius.max.percent must be in (0, 100]");
        }
        this.maxNodes = maxNodes;
        this.maxPercent = maxPercent;
        this.staleAfterMs = staleAfterMs;
    }

    @Override
    public void open(OpenContext context) {
        busyUntil = getRuntimeContext().getMapState(new MapStateDescriptor<>("busy-until", String.class, Long.class));
    }

    @Override
    public void processBroadcastElement(NodeInfo node, Context ctx, Collector<CommandBody> out) throws Exception {
        ctx.getBroadcastState(INVENTORY).put(node.getNodeId(), PlannedCommand.scopeOf(node.getLabels()) + "|" + node.getLastSeenMs());
    }

    @Override
    public void processElement(PlannedCommand planned, ReadOnlyContext ctx, Collector<CommandBody> out) throws Exception {
        CommandBody command = planned.command;
        long now = ctx.timerService().currentProcessingTime();
        int busy = releaseExpired(now);
        String node = command.getTargetNodeId();
        boolean rollback = command.getCommandId().startsWith("rollback-");
        int size = scopeSize(ctx.getBroadcastState(INVENTORY), ctx.getCurrentKey(), now);
        int limit = limit(size);
        if (!rollback && !busyUntil.contains(node) && busy >= limit) {
            String of = size == 0 ? "" : " of " + size;
            ctx.output(Decisions.TAG, Decisions.of(command.getIncidentId(), node, now, DecisionVerdict.SKIPPED, command.getAction(),
                    command.getCommandId(), null, "auto", String.format("blast radius: %d%s nodes of %s already under remediation (limit %d: %s); %s withheld",
                            busy, of, ctx.getCurrentKey(), limit, size == 0 ? "scope size unknown, " + maxNodes + " nodes"
                                    : String.format("%.0f%%, at most %d nodes", maxPercent, maxNodes), command.getAction())));
            return;
        }
        Long until = busyUntil.get(node);
        busyUntil.put(node, Math.max(until == null ? 0 : until, command.getExpiresAtMs()));
        ctx.timerService().registerProcessingTimeTimer(command.getExpiresAtMs());
        out.collect(command);
    }

    /** How many nodes of a scope of {@code size} may be under remediation at once. */
    int limit(int size) {
        if (size == 0) {
            return maxNodes;
        }
        return Math.min(maxNodes, Math.max(1, (int) Math.floor(maxPercent / 100.0 * size)));
    }

    private int scopeSize(ReadOnlyBroadcastState<String, String> inventory, String scope, long now) throws Exception {
        int size = 0;
        for (Map.Entry<String, String> e : inventory.immutableEntries()) {
            String v = e.getValue();
            int bar = v.lastIndexOf('|');
            if (v.substring(0, bar).equals(scope) && Long.parseLong(v.substring(bar + 1)) >= now - staleAfterMs) {
                size++;
            }
        }
        return size;
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
