package io.x0tta6bl4.jobs.detect;

/** That a node's telemetry was seen: its id, canonical labels and the batch's time. A Flink POJO. */
public class NodeSeen {
    public String nodeId;
    public String labels;
    public long timestampMs;

    public NodeSeen() {}

    public NodeSeen(String nodeId, String labels, long timestampMs) {
        this.nodeId = nodeId;
        this.labels = labels;
        this.timestampMs = timestampMs;
    }
}
