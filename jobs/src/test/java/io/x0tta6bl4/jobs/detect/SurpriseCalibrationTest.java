package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SurpriseCalibrationTest {
    private final DetectorSettings settings = DetectorSettings.defaults();
    private final SurpriseCalibration calibration = new SurpriseCalibration(settings);

    /** The discount as written in the class comment, computed in full for every sample (below the recurring-burst range). */
    private double reference(SeriesState s, double z) {
        double seen = SurpriseCalibration.seenBefore(s, z);
        return Math.max(NormalTail.surprise(Math.abs(z)) - settings.repeatPenalty() * Math.log(1 + seen), 0);
    }

    @Test
    void theShortcutForDeviationsSeenOftenGivesExactlyTheFullComputation() {
        Random random = new Random(5);
        SeriesState s = new SeriesState();
        int silenced = 0;
        for (int i = 0; i < 50_000; i++) {
            // Heavy-tailed deviations, so that every bin below 6 sigma is crossed from both sides of its threshold.
            double z = random.nextGaussian() * (random.nextInt(20) == 0 ? 2.5 : 1);
            if (Math.abs(z) >= 2 * SurpriseCalibration.RECURRING_FROM_SIGMAS) {
                continue;
            }
            double expected = reference(s, z);
            double actual = calibration.surprise(s, z, true);
            assertThat(actual).as("sample %d, z %s", i, z).isEqualTo(expected);
            if (expected == 0) {
                silenced++;
            }
        }
        assertThat(silenced).as("most samples are silenced, some are not").isBetween(40_000, 49_900);
    }
}
