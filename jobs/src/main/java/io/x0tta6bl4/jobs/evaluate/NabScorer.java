package io.x0tta6bl4.jobs.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The Numenta Anomaly Benchmark's scoring, written from its description (Lavin and Ahmad, 2015):
 * <ul>
 *   <li>the first detection inside a labelled window earns {@code tpWeight * sigma(p)}, p the detection's relative
 *       position in the window (-1 at its start, 0 at its end), sigma(x) = 2 / (1 + e^(5x)) - 1: early detection earns most;</li>
 *   <li>a detection outside every window costs {@code fpWeight * sigma(p)} with p its distance after the preceding
 *       window in window lengths (near misses cost less), or the full {@code fpWeight} before the first window;</li>
 *   <li>a window without detection costs {@code fnWeight};</li>
 *   <li>detections in the probationary period (the first 15% of a file, at most 750 rows) do not count;</li>
 *   <li>the threshold on the anomaly score is the one that maximises the corpus total for the profile, and the
 *       total is normalised to 100 * (S - S_null) / (S_perfect - S_null): 0 for a detector that never fires,
 *       100 for one that fires at every window's start and nowhere else.</li>
 * </ul>
 */
public final class NabScorer {
    /** An application profile's weights. */
    public record Profile(String name, double tpWeight, double fpWeight, double fnWeight) {}

    public static final List<Profile> PROFILES = List.of(
            new Profile("standard", 1.0, 0.11, 1.0),
            new Profile("reward_low_FP_rate", 1.0, 0.22, 1.0),
            new Profile("reward_low_FN_rate", 1.0, 0.11, 2.0));

    /** One scored file: per-row anomaly scores and the windows as inclusive row index ranges. */
    public record ScoredFile(String name, double[] scores, List<int[]> windows) {}

    /** The result for one profile. */
    public record Result(Profile profile, double threshold, double raw, double normalised, int truePositives, int falsePositives,
            int falseNegatives) {}

    private NabScorer() {}

    static double sigmoid(double x) {
        return 2.0 / (1.0 + Math.exp(5.0 * x)) - 1.0;
    }

    public static int probationaryRows(int rows) {
        return Math.min((int) Math.floor(0.15 * rows), 750);
    }

    /** The raw score of one file at one threshold; {@code counts} receives tp, fp, fn. */
    static double scoreFile(ScoredFile file, double threshold, Profile profile, int[] counts) {
        double total = 0;
        int probation = probationaryRows(file.scores().length);
        boolean[] detected = new boolean[file.windows().size()];
        int window = -1; // index of the last window that started at or before the current row
        for (int i = 0; i < file.scores().length; i++) {
            while (window + 1 < file.windows().size() && file.windows().get(window + 1)[0] <= i) {
                window++;
            }
            if (i < probation || file.scores()[i] < threshold) {
                continue;
            }
            int[] w = window >= 0 ? file.windows().get(window) : null;
            if (w != null && i <= w[1]) {
                if (!detected[window]) {
                    detected[window] = true;
                    double length = w[1] - w[0] + 1;
                    double position = -(w[1] - i + 1) / length;
                    total += profile.tpWeight() * sigmoid(position);
                    counts[0]++;
                }
            } else {
                counts[1]++;
                if (w == null) {
                    total -= profile.fpWeight();
                } else {
                    double length = w[1] - w[0] + 1;
                    double position = (i - w[1]) / length;
                    total += profile.fpWeight() * sigmoid(position);
                }
            }
        }
        for (boolean d : detected) {
            if (!d) {
                total -= profile.fnWeight();
                counts[2]++;
            }
        }
        return total;
    }

    /** Chooses the threshold that maximises the corpus score for the profile and normalises the result. */
    public static Result score(List<ScoredFile> files, Profile profile) {
        TreeSet<Double> candidates = new TreeSet<>();
        for (ScoredFile f : files) {
            for (double s : f.scores()) {
                if (s > 0) {
                    candidates.add(s);
                }
            }
        }
        candidates.add(Double.POSITIVE_INFINITY); // the null detector is always a candidate
        List<Double> thresholds = new ArrayList<>(candidates);
        if (thresholds.size() > 400) { // enough resolution; keeps the sweep linear in practice
            List<Double> sampled = new ArrayList<>();
            for (int k = 0; k < 400; k++) {
                sampled.add(thresholds.get(k * (thresholds.size() - 1) / 399));
            }
            thresholds = sampled;
        }
        Result best = null;
        double nullScore = 0;
        double perfect = 0;
        for (ScoredFile f : files) {
            nullScore -= profile.fnWeight() * f.windows().size();
            perfect += profile.tpWeight() * sigmoid(-1.0) * f.windows().size();
        }
        for (double threshold : thresholds) {
            int[] counts = new int[3];
            double raw = 0;
            for (ScoredFile f : files) {
                raw += scoreFile(f, threshold, profile, counts);
            }
            if (best == null || raw > best.raw()) {
                double normalised = perfect == nullScore ? 0 : 100.0 * (raw - nullScore) / (perfect - nullScore);
                best = new Result(profile, threshold, raw, normalised, counts[0], counts[1], counts[2]);
            }
        }
        return best;
    }
}
