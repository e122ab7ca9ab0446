package io.x0tta6bl4.jobs.detect.node;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The multivariate detector of the ensemble: a small autoencoder over a node's vector of standardised series
 * residuals (each in [-1, 1]), trained on-line in mini-batches. It learns how the node's metrics move together
 * (CPU with load, disk latency with I/O pressure); its reconstruction error is large when their combination is
 * unusual even if no single series is. The error is a series like any other, scored by the same detector.
 *
 * <p>{@code dims -> 8 -> 3 -> 8 -> dims}, tanh, Adam. Parameters round-trip through bytes (about 3 KB) so they can
 * live in Flink state. Not thread-safe; {@link #close()} frees the native memory.
 */
public final class NodeAutoencoder implements AutoCloseable {
    private static final int SEED = 20261128;
    private final int dims;
    private final int batchSize;
    private final NDManager manager;
    private final Model model;
    private final Trainer trainer;
    private final float[] batch;
    private int buffered;
    private long steps;

    public NodeAutoencoder(int dims, int batchSize, float learningRate) {
        String why = DjlRuntime.unavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        this.dims = dims;
        this.batchSize = batchSize;
        // A fixed seed: the same data trains the same model (reproducible tests, and replays after a restore).
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(SEED);
        this.batch = new float[dims * batchSize];
        this.manager = NDManager.newBaseManager("PyTorch");
        this.model = Model.newInstance("x0-node-autoencoder", "PyTorch");
        model.setBlock(new SequentialBlock()
                .add(Linear.builder().setUnits(8).build()).add(Activation::tanh)
                .add(Linear.builder().setUnits(3).build()).add(Activation::tanh)
                .add(Linear.builder().setUnits(8).build()).add(Activation::tanh)
                .add(Linear.builder().setUnits(dims).build()));
        this.trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build()));
        trainer.initialize(new Shape(1, dims));
    }

    public int dims() {
        return dims;
    }

    public long trainingSteps() {
        return steps;
    }

    /**
     * Scores one vector (mean squared reconstruction error per dimension), then queues it for training; every
     * {@code batchSize} vectors one optimiser step runs. Returns the error; {@code errors} receives it per dimension.
     */
    public double scoreAndLearn(float[] x, double[] errors) {
        double error;
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(x, new Shape(1, dims));
            NDArray output = model.getBlock().forward(new ParameterStore(scope, false), new NDList(input), false).singletonOrThrow();
            float[] y = output.toFloatArray();
            double sum = 0;
            for (int i = 0; i < dims; i++) {
                double d = x[i] - y[i];
                errors[i] = d * d;
                sum += d * d;
            }
            error = sum / dims;
        }
        System.arraycopy(x, 0, batch, buffered * dims, dims);
        if (++buffered == batchSize) {
            train();
            buffered = 0;
        }
        return error;
    }

    private void train() {
        try (NDManager scope = manager.newSubManager(); GradientCollector collector = trainer.newGradientCollector()) {
            NDArray input = scope.create(batch, new Shape(batchSize, dims));
            NDArray output = trainer.forward(new NDList(input)).singletonOrThrow();
            NDArray loss = trainer.getLoss().evaluate(new NDList(input), new NDList(output));
            collector.backward(loss);
        }
        try {
            trainer.step();
            steps++;
        } catch (IllegalStateException allZeroGradients) {
            // DJL refuses a step whose gradients are all zero (nothing to learn from this batch): skip it
        }
    }

    /** The parameters, for Flink state. */
    public byte[] parameters() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(steps);
            model.getBlock().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores parameters saved by {@link #parameters()} (after a restart; the optimiser's moments start afresh). */
    public void restore(byte[] parameters) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            steps = in.readLong();
            model.getBlock().loadParameters(manager, in);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalArgumentException("unreadable node model parameters: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
        manager.close();
    }
}
