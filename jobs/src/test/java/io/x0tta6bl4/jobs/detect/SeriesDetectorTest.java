package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesDetectorTest {
    private final SeriesDetector detector = new SeriesDetector(DetectorSettings.defaults());

    /** Feeds values one per second; returns the sample indexes where episodes started and ended (ended negated - 1). */
    private List<Integer> run(double[] values) {
        SeriesState state = new SeriesState();
        List<Integer> transitions = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            SeriesDetector.Transition t = detector.update(state, 1000L * (i + 1), values[i], false);
            if (t == SeriesDetector.Transition.STARTED) {
                transitions.add(i);
            } else if (t == SeriesDetector.Transition.ENDED) {
                transitions.add(-i - 1);
            }
        }
        return transitions;
    }

    private static double[] noisy(int n, double mean, double sd, long seed) {
        Random random = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + random.nextGaussian() * sd;
        }
        return v;
    }

    @Test
    void stationaryNoiseRaisesNoAlarm() {
        assertThat(run(noisy(20_000, 0.3, 0.02, 1))).isEmpty();
    }

    @Test
    void stepIsDetectedWithinTwoSamplesAndEndsWhenTheLevelReturns() {
        double[] v = noisy(100, 0.2, 0.01, 2);
        for (int i = 50; i < 70; i++) {
            v[i] += 0.7;
        }
        List<Integer> t = run(v);
        assertThat(t).hasSize(2);
        assertThat(t.get(0)).isBetween(50, 52);
        assertThat(-t.get(1) - 1).isBetween(70, 74);
    }

    @Test
    void singleSpikeIsNotAnEpisode() {
        double[] v = noisy(100, 5, 0.1, 3);
        v[60] = 50;
        assertThat(run(v)).isEmpty();
    }

    @Test
    void fastDriftIsDetected() {
        double[] v = noisy(120, 0.4, 0.003, 4);
        for (int i = 60; i < 120; i++) {
            v[i] += 0.04 * (i - 59);
        }
        List<Integer> t = run(v);
        assertThat(t).isNotEmpty();
        assertThat(t.get(0)).isBetween(60, 63);
    }

    @Test
    void varianceIncreaseIsDetected() {
        double[] v = noisy(200, 1.0, 0.01, 5);
        double[] wild = noisy(100, 0, 0.5, 6);
        for (int i = 100; i < 200; i++) {
            v[i] += wild[i - 100];
        }
        assertThat(run(v)).isNotEmpty();
    }

    @Test
    void nonFiniteValuesAndDisorderAreSkipped() {
        SeriesState s = new SeriesState();
        for (int i = 1; i <= 30; i++) {
            detector.update(s, i * 1000L, 1.0 + (i % 2) * 0.01, false);
        }
        long samples = s.samples;
        assertThat(detector.update(s, 31_000, Double.NaN, false)).isEqualTo(SeriesDetector.Transition.NONE);
        assertThat(detector.update(s, 32_000, Double.POSITIVE_INFINITY, false)).isEqualTo(SeriesDetector.Transition.NONE);
        assertThat(detector.update(s, 10_000, 500, false)).isEqualTo(SeriesDetector.Transition.NONE);
        assertThat(s.samples).isEqualTo(samples);
    }

    @Test
    void counterResetIsNotARateSpike() {
        SeriesState s = new SeriesState();
        double total = 0;
        List<SeriesDetector.Transition> seen = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            total = i == 40 ? 3 : total + 100 + (i % 3); // the counter restarts at sample 40
            seen.add(detector.update(s, i * 1000L, total, true));
        }
        assertThat(seen).containsOnly(SeriesDetector.Transition.NONE);
        assertThat(s.mean).isBetween(95.0, 110.0); // a rate per second, not a total
    }
}
