package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The detector's arithmetic shortcuts give what they stand for, at every count and deviation the detector meets. */
class ShortcutsTest {
    @Test
    void aRunningWeightIsTheLargerOfAlphaAndOneOverNAtEveryCount() {
        for (double alpha : new double[] {1, 0.5, 1.0 / 3, 0.1, 0.02, 0.01, 0.005, 0.003, 1e-4}) {
            RunningWeight weight = new RunningWeight(alpha);
            for (long n = 1; n <= 200_000; n++) {
                double expected = Math.max(alpha, 1.0 / n);
                if (weight.of(n) != expected) {
                    assertThat(weight.of(n)).as("alpha %s, n %d", alpha, n).isEqualTo(expected);
                }
            }
        }
        assertThatThrownBy(() -> new RunningWeight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RunningWeight(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTableBoundOfTheNormalSurpriseIsNeverBelowItAndCloseAboveIt() {
        for (int i = 0; i <= 120_000; i++) {
            double z = i * 1e-4;
            double surprise = NormalTail.surprise(z);
            double bound = NormalTail.surpriseAtMost(z);
            if (bound < surprise) {
                assertThat(bound).as("z %s", z).isGreaterThanOrEqualTo(surprise);
            }
            if (z < 8) { // a bound that is too loose would spare no logarithm
                assertThat(bound).as("z %s", z).isLessThan(NormalTail.surprise(z + 0.125) * 1.01 + 1e-5);
            }
        }
        assertThat(NormalTail.surpriseAtMost(0)).isZero();
        assertThat(NormalTail.surpriseAtMost(-3)).isZero();
    }
}
