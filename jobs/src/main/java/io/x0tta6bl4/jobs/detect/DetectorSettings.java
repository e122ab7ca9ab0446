package io.x0tta6bl4.jobs.detect;

import java.io.Serializable;

/**
 * Parameters of the robust per-series detector. One set for every series: nothing is tuned per metric.
 *
 * @param warmupSamples samples a series needs before it is scored
 * @param alpha EWMA weight of a new sample in the baseline (mean and mean absolute deviation)
 * @param startZ robust z-score above which a sample is anomalous
 * @param confirmSamples consecutive anomalous samples that open an episode
 * @param endZ z-score below which a sample counts as normal again
 * @param clearSamples consecutive normal samples that close an episode
 * @param relativeFloor smallest scale as a fraction of the baseline level (flat series are not infinitely sensitive)
 * @param idleTimeoutMs a series silent this long (event time) is forgotten
 */
public record DetectorSettings(int warmupSamples, double alpha, double startZ, int confirmSamples,
        double endZ, int clearSamples, double relativeFloor, long idleTimeoutMs) implements Serializable {

    public static DetectorSettings defaults() {
        return new DetectorSettings(20, 0.05, 6.0, 2, 3.0, 3, 0.02, 10 * 60_000L);
    }

    public DetectorSettings {
        if (warmupSamples < 2 || alpha <= 0 || alpha >= 1 || startZ <= endZ || confirmSamples < 1 || clearSamples < 1
                || relativeFloor < 0 || idleTimeoutMs <= 0) {
            throw new IllegalArgumentException("inconsistent detector settings");
        }
    }
}
