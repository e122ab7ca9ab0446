package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.NodeInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the fleet's inventory (keyed by node id): publishes a {@link NodeInfo} when a node's telemetry first
 * arrives, when its labels change, and every {@code heartbeatMs} of event time after that, so consumers (HealJob's
 * blast radius in percent of a role) know which nodes exist and which have gone quiet. A node silent for
 * {@code idleTimeoutMs} is forgotten by a timer.
 */
public class TrackNodeInventory extends KeyedProcessFunction<String, NodeSeen, NodeInfo> {
    private static final long serialVersionUID = 1L;

    /** What the tracker remembers of one node. A Flink POJO. */
    public static class Seen {
        public String labels;
        public long firstSeenMs;
        public long lastSeenMs;
        public long lastPublishedMs;
        public long cleanupTimerMs = Long.MIN_VALUE;

        public Seen() {}
    }

    private final long heartbeatMs;
    private final long idleTimeoutMs;
    private transient ValueState<Seen> seen;

    public TrackNodeInventory(long heartbeatMs, long idleTimeoutMs) {
        this.heartbeatMs = heartbeatMs;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    @Override
    public void open(OpenContext context) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Seen.class));
    }

    @Override
    public void processElement(NodeSeen batch, Context ctx, Collector<NodeInfo> out) throws Exception {
        Seen s = seen.value();
        String labels = batch.labels;
        long ts = batch.timestampMs;
        boolean publish;
        if (s == null) {
            s = new Seen();
            s.firstSeenMs = ts;
            publish = true;
        } else {
            publish = !labels.equals(s.labels) || ts - s.lastPublishedMs >= heartbeatMs;
        }
        s.labels = labels;
        s.lastSeenMs = Math.max(s.lastSeenMs, ts);
        if (publish) {
            s.lastPublishedMs = ts;
            out.collect(NodeInfo.newBuilder().setNodeId(batch.nodeId).setLabels(Labels.parse(labels))
                    .setFirstSeenMs(s.firstSeenMs).setLastSeenMs(s.lastSeenMs).build());
        }
        if (s.cleanupTimerMs == Long.MIN_VALUE) { // one timer per node, moved forward lazily when it fires
            s.cleanupTimerMs = s.lastSeenMs + idleTimeoutMs;
            ctx.timerService().registerEventTimeTimer(s.cleanupTimerMs);
        }
        seen.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<NodeInfo> out) throws Exception {
        Seen s = seen.value();
        if (s == null) {
            return;
        }
        long idleUntil = s.lastSeenMs + idleTimeoutMs;
        if (idleUntil > timestamp) {
            s.cleanupTimerMs = idleUntil;
            ctx.timerService().registerEventTimeTimer(idleUntil);
            seen.update(s);
        } else {
            seen.clear();
        }
    }
}
