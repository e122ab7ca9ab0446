package io.x0tta6bl4.jobs.detect;

/**
 * Detector 4 of the ensemble, the range member: a value beyond anything the series has shown. It keeps the range of the
 * values seen (lowest and highest) and the long-run spread of the values (an exponentially weighted standard
 * deviation over ≈ 1,000 five-minute samples); a value beyond the range is surprising by how far beyond it lies, in
 * long-run standard deviations. The range forgets slowly: each sample it closes in on the long-run mean by
 * {@code rangeForgetting} of the way (by a factor e every ≈ 35 days at 1e-4 per five-minute sample), so a single wild
 * value does not define "normal" for ever.
 *
 * <p>What it adds: the baseline judges a value against its expectation and {@link SurpriseCalibration} discounts a
 * deviation of a size the series shows often, which silences a series' routine spikes but also the one spike that
 * rises far above all of them. Judged against the whole history of values instead, that spike stands out. Measured on
 * NAB (the development subset, before the familiar-shape discount): 66.4 / 59.8 / 70.9 without this member,
 * 68.7 / 61.5 / 73.7 with it (two more windows found, nine more false positives); the score was no lower for any
 * warm-up from 100 to 1,000 samples, long-run weights from 0.0003 to 0.001, forgetting from 0 to 2e-4 per sample, and
 * sharpness from 3 to 8. On stationary Gaussian noise it adds no false alarm (20 series × 20,000 samples, at 1 s and
 * at 5 min: the same episodes as without it).
 *
 * <p>{@code rangeSmoothing} below 1 makes it judge a short running mean instead of each value (a sustained excursion
 * stands out from single samples' noise). Off by default: 0.3 with sharpness 8 scores 71.9 / 67.1 / 75.2 on the subset
 * (71.7 / 67.6 / 75.1 without it), but it more than doubles the false alarms on stationary noise (107 episodes against
 * 40 in 400,000 five-minute samples): a bet on the development data, not a general rule.
 *
 * <p>Inside the range it costs two comparisons and the running statistics' update: ≈ 5 % more time per telemetry batch
 * (decoding, matching and all members; 500 nodes, old and new classes alternating in one JVM). A series whose values
 * never vary (zero spread) is not judged: the baseline covers a flat line that moves. With smoothing the evidence still
 * names the sample's own value; the excess is the running mean's.
 */
final class HistoricalRange {
    /** Weight of a new value in the long-run mean and variance, per five-minute sample. */
    static final double LONG_RUN_ALPHA = 0.001;

    private final DetectorSettings settings;
    private final RunningWeight longRunWeight = new RunningWeight(LONG_RUN_ALPHA);
    private double lastExcess;

    HistoricalRange(DetectorSettings settings) {
        this.settings = settings;
    }

    /**
     * The surprise (nats) of {@code value} beyond the series' range, 0 inside it or while warming up; with
     * {@code upperOnly} only above it. Then learns the value, its weights scaled by {@code weightScale} (the sample's
     * share of five minutes, at most 1: memory is measured in time, not in samples).
     */
    double observe(SeriesState s, double value, double weightScale, boolean upperOnly) {
        if (settings.rangeSmoothing() < 1) { // off by default: see the class comment
            value = s.rangeSamples == 0 ? value : s.rangeSmoothed + settings.rangeSmoothing() * (value - s.rangeSmoothed);
            s.rangeSmoothed = value;
        }
        double surprise = 0;
        lastExcess = 0;
        if (s.rangeSamples >= settings.rangeWarmupSamples() && s.longRunVariance > 0) {
            double excess = Math.max(value - s.rangeHigh, upperOnly ? 0 : s.rangeLow - value);
            if (excess > 0) {
                lastExcess = excess / Math.sqrt(s.longRunVariance);
                surprise = settings.rangeWeight() * NormalTail.surprise(settings.rangeSharpness() * lastExcess);
            }
        }
        learn(s, value, weightScale);
        return surprise;
    }

    /** How far beyond the range the last observed value was, in long-run standard deviations (0: inside it). */
    double lastExcess() {
        return lastExcess;
    }

    private void learn(SeriesState s, double value, double weightScale) {
        long n = ++s.rangeSamples;
        if (n == 1) {
            s.longRunMean = value;
            s.rangeLow = value;
            s.rangeHigh = value;
            return;
        }
        // A running mean over the first 1 / alpha values at any sampling rate, then weights measured in time (no division
        // per sample: at one-second sampling a running mean to the time-scaled weight would divide for 3.5 days).
        double alpha = longRunWeight.of(n);
        if (alpha == LONG_RUN_ALPHA) {
            alpha *= weightScale;
        }
        double deviation = value - s.longRunMean;
        s.longRunMean += alpha * deviation;
        s.longRunVariance += alpha * (deviation * deviation - s.longRunVariance);
        double forgetting = settings.rangeForgetting() * weightScale;
        s.rangeLow = Math.min(value, s.rangeLow + forgetting * (s.longRunMean - s.rangeLow));
        s.rangeHigh = Math.max(value, s.rangeHigh + forgetting * (s.longRunMean - s.rangeHigh));
    }
}
