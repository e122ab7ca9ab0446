package io.x0tta6bl4.jobs.detect;

import java.util.Arrays;

/**
 * Detector 1 of the ensemble: what the value should be now. Three baselines are learnt side by side, each an
 * exponentially weighted mean with its own residual variance:
 * <ul>
 *   <li>{@code level}: one running level (no seasonality);</li>
 *   <li>{@code daily}: one mean per 15-minute slot of the day (UTC);</li>
 *   <li>{@code weekly}: one mean per 30-minute slot of the week.</li>
 * </ul>
 * The baseline whose recent squared residuals are smallest explains the series best and is the one scored, so
 * seasonality is used exactly when the data shows it. A seasonal baseline is only eligible once the series has
 * lasted one whole period: before that it cannot have shown a season. Memory is constant per series
 * (433 slots), and irregular sampling is fine because slots are chosen by timestamp.
 */
final class SeasonalBaseline {
    static final String[] NAMES = {"level", "daily", "weekly"};
    private static final int[] SLOTS = {1, 96, 336};
    private static final int[] OFFSET = {0, 1, 97};
    static final int PROFILE_SIZE = 433;
    private static final long[] SLOT_MS = {Long.MAX_VALUE, 15 * 60_000L, 30 * 60_000L};
    private static final long[] PERIOD_MS = {0, 24 * 3_600_000L, 7 * 24 * 3_600_000L};
    /**
     * The sampling interval the detector's weights and alarm scores are set for (NAB's and most monitoring's): profile
     * weights are per 5-minute sample, and faster sampling spreads the same weight over more samples.
     */
    static final double REFERENCE_INTERVAL_MS = 5 * 60_000.0;

    private final DetectorSettings settings;
    private final RunningWeight levelWeight;
    private final RunningWeight varianceWeight;
    private final RunningWeight fitWeight;

    SeasonalBaseline(DetectorSettings settings) {
        this.settings = settings;
        this.levelWeight = new RunningWeight(settings.levelAlpha());
        this.varianceWeight = new RunningWeight(settings.varianceAlpha());
        this.fitWeight = new RunningWeight(settings.fitAlpha());
    }

    /** The outcome of one sample: the chosen baseline, its expectation and the signed standardised residual. */
    static final class Estimate {
        int baseline = -1;
        double expected;
        double z;

        boolean ready() {
            return baseline >= 0;
        }
    }

    /** Scores {@code value} against the best-fitting eligible baseline; learns nothing (see {@link #learn}). */
    void estimate(SeriesState s, long timestampMs, double value, Estimate out) {
        if (s.profile == null) {
            s.profile = new float[PROFILE_SIZE];
            Arrays.fill(s.profile, Float.NaN);
            s.firstTimestampMs = timestampMs;
        }
        if (timestampMs >= s.slotEndMs || timestampMs < s.slotEndMs - SLOT_MS[1]) {
            enterSlot(s, timestampMs);
        }
        // The eligible baseline with the best fit is scored; the scale (a root and a division) only for that one.
        int best = -1;
        double bestFit = Double.POSITIVE_INFINITY;
        for (int k = 0; k < 3; k++) {
            boolean eligible = !Float.isNaN(value(s, k)) && residuals(s, k) >= settings.warmupSamples()
                    && timestampMs - s.firstTimestampMs >= PERIOD_MS[k];
            double fit = fit(s, k);
            if (eligible && fit < bestFit) {
                bestFit = fit;
                best = k;
            }
        }
        out.baseline = best;
        if (best >= 0) {
            double expected = value(s, best);
            double scale = Math.max(Math.sqrt(variance(s, best)), Math.max(settings.relativeFloor() * Math.abs(expected), 1e-9));
            out.expected = expected;
            out.z = (value - expected) / scale;
        }
    }

    // A baseline's statistics are fields of the state object, which every sample reads anyway. As three arrays they
    // were three more cache lines per sample, and on a large fleet a profiler put the largest share of the detector's
    // time on loading them.

    /**
     * Outside the 15-minute slot of the last sample: hands the last slot's values back to the profile and takes out the
     * new slot's. The long divisions and the profile's cache lines are paid once per slot, not per sample.
     */
    private static void enterSlot(SeriesState s, long timestampMs) {
        if (s.slotEndMs != Long.MIN_VALUE) {
            s.profile[OFFSET[0]] = s.levelValue;
            s.profile[s.dailySlot] = s.dailyValue;
            s.profile[s.weeklySlot] = s.weeklyValue;
        }
        long quarter = Math.floorDiv(timestampMs, SLOT_MS[1]);
        s.dailySlot = OFFSET[1] + (int) Math.floorMod(quarter, (long) SLOTS[1]);
        s.weeklySlot = OFFSET[2] + (int) Math.floorMod(Math.floorDiv(timestampMs, SLOT_MS[2]), (long) SLOTS[2]);
        s.slotEndMs = (quarter + 1) * SLOT_MS[1]; // weekly slots are two daily ones: they end on a daily slot's end
        s.levelValue = s.profile[OFFSET[0]];
        s.dailyValue = s.profile[s.dailySlot];
        s.weeklyValue = s.profile[s.weeklySlot];
    }

    /** Baseline k's expectation for the current slot (NaN: the slot has not been visited yet). */
    private static float value(SeriesState s, int k) {
        return k == 0 ? s.levelValue : k == 1 ? s.dailyValue : s.weeklyValue;
    }

    private static void setValue(SeriesState s, int k, float value) {
        if (k == 0) {
            s.levelValue = value;
        } else if (k == 1) {
            s.dailyValue = value;
        } else {
            s.weeklyValue = value;
        }
    }

    private static long residuals(SeriesState s, int k) {
        return k == 0 ? s.levelResiduals : k == 1 ? s.dailyResiduals : s.weeklyResiduals;
    }

    private static double fit(SeriesState s, int k) {
        return k == 0 ? s.levelFit : k == 1 ? s.dailyFit : s.weeklyFit;
    }

    private static double variance(SeriesState s, int k) {
        return k == 0 ? s.levelVariance : k == 1 ? s.dailyVariance : s.weeklyVariance;
    }

    private static void store(SeriesState s, int k, long residuals, double fit, double variance) {
        if (k == 0) {
            s.levelResiduals = residuals;
            s.levelFit = fit;
            s.levelVariance = variance;
        } else if (k == 1) {
            s.dailyResiduals = residuals;
            s.dailyFit = fit;
            s.dailyVariance = variance;
        } else {
            s.weeklyResiduals = residuals;
            s.weeklyFit = fit;
            s.weeklyVariance = variance;
        }
    }

    /**
     * Lets every baseline learn {@code value}, the sample {@link #estimate} has just scored (into the slots it found),
     * every weight multiplied by {@code learning}: 1 for a normal sample, less for a sample of an episode, so a fault is
     * not learnt as normal. The seasonal slots' weights are also multiplied by {@code weightScale}, the sample's share of
     * five minutes (at most 1), so faster sampling spreads them.
     */
    void learn(SeriesState s, double value, double weightScale, double learning) {
        for (int k = 0; k < 3; k++) {
            float expected = value(s, k);
            if (Float.isNaN(expected)) {
                setValue(s, k, (float) value); // first visit of this slot: nothing to compare with yet
                continue;
            }
            double residual = value - expected;
            double squared = residual * residual;
            // Until a baseline has seen 1/alpha residuals every one weighs the same (a running mean), so a young
            // series' scale is an average, not whatever its first residual happened to be.
            long n = residuals(s, k) + 1;
            double fit = fit(s, k);
            double variance = variance(s, k);
            fit += learning * fitWeight.of(n) * (squared - fit);
            // The scale learns a fault's residuals only at the slow long-run rate, never with a young series' running-
            // mean weight (one fault sample would double it): slowly enough to keep the fault visible, fast enough
            // that an episode in a series that has really changed ends.
            variance += (learning >= 1 ? varianceWeight.of(n) : learning * settings.varianceAlpha()) * (squared - variance);
            store(s, k, n, fit, variance);
            double alpha = learning * (k == 0 ? levelWeight.of(n + 1) : settings.profileAlpha() * weightScale);
            setValue(s, k, expected + (float) (alpha * residual));
        }
    }
}
