package io.x0tta6bl4.jobs.detect.node;

import io.x0tta6bl4.jobs.detect.SeriesState;

/**
 * What DetectJob keeps of a node's model in Flink state: which series feed which input, the model's parameters
 * (refreshed after every training step, so a restore resumes from the last one), and the detector state of the
 * reconstruction-error series. A Flink POJO.
 */
public class NodeModelState {
    /** Series key per model input; null where no series is assigned yet. */
    public String[] inputs;
    public byte[] parameters;
    public long vectors;
    public SeriesState error = new SeriesState();

    public NodeModelState() {}
}
