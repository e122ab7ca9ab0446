package io.x0tta6bl4.jobs.detect.node;

import java.io.Serializable;

/**
 * The per-node multivariate model: off unless enabled (it needs DJL on the class path).
 *
 * @param enabled whether DetectJob trains and scores a model per node
 * @param dims series per node the model sees (the first this many to appear; more are left to the univariate detector)
 * @param batchSize vectors per training step
 * @param learningRate Adam's learning rate
 * @param warmupSteps training steps before the reconstruction error is scored (an untrained model's error only falls)
 */
public record NodeModelSettings(boolean enabled, int dims, int batchSize, float learningRate, int warmupSteps) implements Serializable {
    public static NodeModelSettings disabled() {
        return new NodeModelSettings(false, 16, 16, 0.01f, 30);
    }

    public static NodeModelSettings enabledDefaults() {
        return new NodeModelSettings(true, 16, 16, 0.01f, 30);
    }

    public NodeModelSettings {
        if (dims < 2 || batchSize < 1 || !(learningRate > 0) || warmupSteps < 0) {
            throw new IllegalArgumentException("inconsistent node model settings");
        }
    }
}
