package io.x0tta6bl4.jobs.detect;

/** One sample of one series, split out of a telemetry batch. A Flink POJO. */
public class MetricPoint {
    /** nodeId|metric|labels: the key DetectJob scores by. */
    public String seriesKey;
    public String nodeId;
    public String metric;
    /** Canonical labels, "k=v,k=v" sorted by key; "" for none. */
    public String labels;
    public long timestampMs;
    public double value;
    public boolean counter;
    /** The node's labels, canonical "k=v,k=v" (role, zone, ...). */
    public String nodeLabels = "";

    public MetricPoint() {}

    public MetricPoint(String nodeId, String metric, String labels, long timestampMs, double value, boolean counter) {
        this.nodeId = nodeId;
        this.metric = metric;
        this.labels = labels;
        this.seriesKey = nodeId + "|" + metric + (labels.isEmpty() ? "" : "|" + labels);
        this.timestampMs = timestampMs;
        this.value = value;
        this.counter = counter;
    }
}
