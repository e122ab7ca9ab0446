package io.x0tta6bl4.jobs.diagnose;

/** What an incident keeps of one member anomaly. A Flink POJO. */
public class AnomalyEntry {
    public String anomalyId;
    public String nodeId;
    public String metric;
    public long startMs;
    public double score;
    public double observed;
    public double expected;
    public boolean ended;
    /** Ended without a recovery: its series went silent, or was dropped over the node's series limit. */
    public boolean endedWithoutRecovery;

    public AnomalyEntry() {}

    public AnomalyEntry(String anomalyId, String nodeId, String metric, long startMs, double score, double observed, double expected) {
        this.anomalyId = anomalyId;
        this.nodeId = nodeId;
        this.metric = metric;
        this.startMs = startMs;
        this.score = score;
        this.observed = observed;
        this.expected = expected;
    }
}
