package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HistoricalRangeTest {
    private final HistoricalRange range = new HistoricalRange(DetectorSettings.defaults());

    private double feedNoise(SeriesState s, int n, long seed) {
        return feedNoise(range, s, n, seed);
    }

    /** Five-minute Gaussian noise around 10 with sd 1; returns the largest surprise. */
    private static double feedNoise(HistoricalRange member, SeriesState s, int n, long seed) {
        Random random = new Random(seed);
        double largest = 0;
        for (int i = 0; i < n; i++) {
            largest = Math.max(largest, member.observe(s, 10 + random.nextGaussian(), 1.0, false));
        }
        return largest;
    }

    @Test
    void valuesInsideTheRangeAreNoSurpriseAndOnesBeyondItAreByHowFar() {
        SeriesState s = new SeriesState();
        feedNoise(s, 5_000, 1);
        assertThat(range.observe(s, 10, 1.0, false)).isZero();
        assertThat(range.lastExcess()).isZero();
        double justAbove = range.observe(s, s.rangeHigh + 0.5, 1.0, false);
        double farAbove = range.observe(s, s.rangeHigh + 3, 1.0, false);
        double farBelow = range.observe(s, s.rangeLow - 3, 1.0, false);
        assertThat(justAbove).isPositive();
        assertThat(farAbove).isGreaterThan(justAbove);
        assertThat(range.lastExcess()).as("in long-run standard deviations (the noise's sd is 1)").isBetween(2.5, 3.5);
        assertThat(farBelow).isPositive();
        assertThat(range.observe(s, s.rangeLow - 3, 1.0, true)).as("where only up is bad").isZero();
    }

    @Test
    void nothingIsJudgedWhileWarmingUpOrOnASeriesThatNeverVaried() {
        SeriesState young = new SeriesState();
        assertThat(feedNoise(young, DetectorSettings.defaults().rangeWarmupSamples() - 1, 2)).isZero();
        SeriesState flat = new SeriesState();
        for (int i = 0; i < 2_000; i++) {
            assertThat(range.observe(flat, 7, 1.0, false)).isZero();
        }
        assertThat(range.observe(flat, 8, 1.0, false)).as("the baseline judges a flat line that moves").isZero();
    }

    @Test
    void theRangeForgetsAWildValueInWeeksNotForEver() {
        SeriesState s = new SeriesState();
        feedNoise(s, 2_000, 3);
        range.observe(s, 100, 1.0, false); // 90 sigma
        double highAfterWildValue = s.rangeHigh;
        feedNoise(s, 40_000, 4); // ≈ 140 days of five-minute samples
        assertThat(s.rangeHigh).isLessThan(20).isLessThan(highAfterWildValue);
        assertThat(range.observe(s, 30, 1.0, false)).as("a 20-sigma value is news again").isPositive();
    }

    @Test
    void withSmoothingASustainedExcursionCountsAndASingleSampleLessSo() {
        HistoricalRange smoothed = new HistoricalRange(DetectorSettings.defaults().with(java.util.Map.of("rangeSmoothing", "0.3")));
        SeriesState s = new SeriesState();
        feedNoise(smoothed, s, 5_000, 6);
        double level = 10 + 4 * Math.sqrt(s.longRunVariance) / 0.42 + (s.rangeHigh - 10); // well above the smoothed range
        double single = smoothed.observe(s, level, 1.0, false);
        for (int i = 0; i < 20; i++) {
            smoothed.observe(s, 10, 1.0, false); // back to normal
        }
        double sustained = 0;
        for (int i = 0; i < 6; i++) {
            sustained = smoothed.observe(s, level, 1.0, false);
        }
        assertThat(sustained).isGreaterThan(single).isGreaterThan(0);
    }

    @Test
    void fasterSamplingForgetsNoFasterInTime() {
        SeriesState fiveMinutes = new SeriesState();
        SeriesState everySecond = new SeriesState();
        Random random = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            double v = 10 + random.nextGaussian();
            range.observe(fiveMinutes, v, 1.0, false);
            range.observe(everySecond, v, 1.0, false);
        }
        range.observe(fiveMinutes, 100, 1.0, false);
        range.observe(everySecond, 100, 1.0, false);
        for (int i = 0; i < 3_000; i++) { // the same hours: 3,000 five-minute samples, 900,000 one-second ones
            range.observe(fiveMinutes, 10 + random.nextGaussian(), 1.0, false);
            for (int k = 0; k < 300; k++) {
                range.observe(everySecond, 10 + random.nextGaussian(), 1.0 / 300, false);
            }
        }
        assertThat(everySecond.rangeHigh).isCloseTo(fiveMinutes.rangeHigh, org.assertj.core.data.Percentage.withPercentage(5));
    }
}
