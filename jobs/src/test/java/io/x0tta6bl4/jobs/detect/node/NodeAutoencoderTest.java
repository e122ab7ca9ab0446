package io.x0tta6bl4.jobs.detect.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The autoencoder on the real PyTorch engine (DJL, offline): it learns which metrics move together. */
class NodeAutoencoderTest {
    static final int DIMS = 6;

    @BeforeAll
    static void engine() {
        assertThat(DjlRuntime.unavailableReason()).as("DJL is a test dependency: it must load").isNull();
    }

    /** cpu and load residuals move together, as do disk latency and I/O pressure; the rest is small noise. */
    static float[] normal(Random random) {
        float cpu = (float) (random.nextGaussian() * 0.3);
        float disk = (float) (random.nextGaussian() * 0.3);
        return new float[] {cpu, cpu * 0.9f, disk, disk * 0.8f, (float) (random.nextGaussian() * 0.02), (float) (random.nextGaussian() * 0.02)};
    }

    @Test
    void aBrokenCorrelationScoresFarAboveNormalVectorsThoughEachValueIsUsual() {
        Random random = new Random(3);
        try (NodeAutoencoder model = new NodeAutoencoder(DIMS, 32, 0.01f)) {
            double[] errors = new double[DIMS];
            for (int i = 0; i < 6_000; i++) {
                model.scoreAndLearn(normal(random), errors);
            }
            assertThat(model.trainingSteps()).isEqualTo(6_000 / 32);
            double normalError = 0;
            for (int i = 0; i < 200; i++) {
                normalError += model.scoreAndLearn(normal(random), errors) / 200;
            }
            // cpu high but load low: each within its usual range, the pair is not.
            double broken = model.scoreAndLearn(new float[] {0.4f, -0.4f, 0, 0, 0, 0}, errors);
            assertThat(broken).isGreaterThan(5 * normalError);
            assertThat(errors[0] + errors[1]).as("the error sits where the pattern broke: %s", java.util.Arrays.toString(errors)).isGreaterThan(errors[2] + errors[3]);
        }
    }

    @Test
    void parametersRoundTripThroughBytes() {
        Random random = new Random(4);
        float[] probe = {0.3f, -0.2f, 0.1f, 0.0f, 0.05f, -0.05f};
        double[] errors = new double[DIMS];
        try (NodeAutoencoder trained = new NodeAutoencoder(DIMS, 32, 0.01f); NodeAutoencoder restored = new NodeAutoencoder(DIMS, 32, 0.01f)) {
            for (int i = 0; i < 640; i++) {
                trained.scoreAndLearn(normal(random), errors);
            }
            byte[] parameters = trained.parameters();
            assertThat(parameters.length).isBetween(500, 10_000);
            restored.restore(parameters);
            assertThat(restored.trainingSteps()).isEqualTo(trained.trainingSteps());
            double a = trained.scoreAndLearn(probe, errors);
            double b = restored.scoreAndLearn(probe, errors);
            assertThat(b).isCloseTo(a, org.assertj.core.data.Offset.offset(1e-6));
        }
    }
}
