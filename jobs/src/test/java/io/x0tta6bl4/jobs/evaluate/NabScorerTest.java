package io.x0tta6bl4.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** NAB's scoring on cases small enough to compute by hand. 100 rows: rows 0-14 are the probationary period. */
class NabScorerTest {
    static final NabScorer.Profile STANDARD = NabScorer.PROFILES.get(0);

    static NabScorer.ScoredFile file(List<int[]> windows, int... detections) {
        double[] scores = new double[100];
        for (int d : detections) {
            scores[d] = 1.0;
        }
        return new NabScorer.ScoredFile("f", scores, windows);
    }

    static double raw(NabScorer.ScoredFile f) {
        return NabScorer.scoreFile(f, 0.5, STANDARD, new int[3]);
    }

    @Test
    void earlyDetectionEarnsMoreThanLateDetection() {
        List<int[]> window = List.<int[]>of(new int[] {40, 59});
        double atStart = raw(file(window, 40));
        double atEnd = raw(file(window, 59));
        // position -(59 - 40 + 1)/20 = -1 -> 2/(1+e^-5) - 1 = 0.98661; at the end -(1/20) -> 0.12435
        assertThat(atStart).isCloseTo(0.98661, within(1e-4));
        assertThat(atEnd).isCloseTo(2 / (1 + Math.exp(5 * -0.05)) - 1, within(1e-9));
        assertThat(atStart).isGreaterThan(atEnd);
    }

    @Test
    void onlyTheFirstDetectionInAWindowCounts() {
        List<int[]> window = List.<int[]>of(new int[] {40, 59});
        assertThat(raw(file(window, 40, 45, 50))).isEqualTo(raw(file(window, 40)));
    }

    @Test
    void missedWindowCostsTheFalseNegativeWeight() {
        assertThat(raw(file(List.<int[]>of(new int[] {40, 59})))).isEqualTo(-1.0);
    }

    @Test
    void falsePositivesCostLessRightAfterAWindowAndTheFullWeightBeforeAny() {
        List<int[]> window = List.<int[]>of(new int[] {40, 59});
        double beforeAny = raw(file(window, 20, 40)) - raw(file(window, 40));
        assertThat(beforeAny).isCloseTo(-0.11, within(1e-12));
        double justAfter = raw(file(window, 40, 60)) - raw(file(window, 40));
        double farAfter = raw(file(window, 40, 99)) - raw(file(window, 40));
        assertThat(justAfter).isCloseTo(0.11 * (2 / (1 + Math.exp(5 * (1 / 20.0))) - 1), within(1e-12));
        assertThat(justAfter).isGreaterThan(farAfter).isLessThan(0);
    }

    @Test
    void detectionsInTheProbationaryPeriodAreIgnored() {
        assertThat(NabScorer.probationaryRows(100)).isEqualTo(15);
        assertThat(raw(file(List.of(), 5))).isZero();
        assertThat(NabScorer.probationaryRows(100_000)).isEqualTo(750);
    }

    @Test
    void thresholdIsChosenToMaximiseTheScoreAndNormalisationSpansNullToPerfect() {
        // A confident true detection (0.9) and a weak false one (0.4): the best threshold keeps only the first.
        double[] scores = new double[100];
        scores[40] = 0.9;
        scores[80] = 0.4;
        NabScorer.ScoredFile f = new NabScorer.ScoredFile("f", scores, List.<int[]>of(new int[] {40, 59}));
        NabScorer.Result r = NabScorer.score(List.of(f), STANDARD);
        assertThat(r.threshold()).isEqualTo(0.9);
        assertThat(r.truePositives()).isEqualTo(1);
        assertThat(r.falsePositives()).isZero();
        assertThat(r.normalised()).isCloseTo(100.0, within(1e-9)); // detected at the window's start = the perfect detector

        NabScorer.ScoredFile silent = new NabScorer.ScoredFile("g", new double[100], List.<int[]>of(new int[] {40, 59}));
        assertThat(NabScorer.score(List.of(silent), STANDARD).normalised()).isZero();
    }
}
