package io.x0tta6bl4.jobs.detect;

/**
 * Detector 2 of the ensemble: how unusual a deviation is <em>for this series</em>. A normal tail says how
 * surprising a z-score would be for Gaussian noise; real metrics have heavy tails, so every series also keeps
 * a decayed histogram of the z-scores it has produced. Each earlier deviation at least as large discounts the
 * surprise by {@code repeatPenalty * ln(1 + count)}: a spike size the series shows every day stops alarming,
 * a deviation never seen before keeps its full Gaussian surprise.
 *
 * <p>That discount is logarithmic in the count and cannot tame a large deviation: a 20-sigma burst the series shows
 * every day keeps ≈ 200 nats of Gaussian surprise however often it comes. So a large deviation (at least twice
 * {@link #RECURRING_FROM_SIGMAS}) is also judged as a recurring kind: when the series has already shown deviations at
 * least half as large more than once, the chance of this one is at least their frequency, and its surprise is at
 * most {@code -ln(P_gauss + (count - 1) / samples)}. A burst that comes back every day stops alarming after a few
 * days; the first burst of its size, or twice the size of any before, keeps its full surprise. Measured on NAB (the
 * development subset): 65.6 / 51.6 / 72.3 without it, 66.4 / 59.8 / 70.9 with it (false positives 143 → 81).
 *
 * <p>The histogram decays lazily (the newest sample is added with weight {@code decay^-t}, rescaled now and
 * then), so an update costs one add, and a query the bins on the shorter side of |z| (against the running total).
 */
final class SurpriseCalibration {
    static final int BINS = 81;
    private static final double BIN_WIDTH = 0.5;
    /** Surprise (nats) that maps to a score of 0.5. */
    static final double HALF_SCORE_SURPRISE = 10;
    private static final double RESCALE_ABOVE = 1e150;
    /**
     * Half a deviation must reach this many standard deviations before deviations of that half size count as earlier
     * occurrences of its kind: below it, half-size deviations are ordinary noise and say nothing about bursts.
     */
    static final double RECURRING_FROM_SIGMAS = 3;

    private final DetectorSettings settings;
    /**
     * Per bin, the count of earlier deviations at least as large above which the surprise is certainly 0: the repeat
     * discount outweighs the Gaussian surprise of the bin's largest |z|. Most samples are small deviations the series
     * shows all the time, and this spares them the tail and the logarithm (the result is the same).
     */
    private final double[] silencedFrom = new double[BINS];

    SurpriseCalibration(DetectorSettings settings) {
        this.settings = settings;
        for (int bin = 0; bin < BINS; bin++) {
            double largest = bin == BINS - 1 ? Double.POSITIVE_INFINITY : (bin + 1) * BIN_WIDTH;
            silencedFrom[bin] = settings.repeatPenalty() == 0 ? Double.POSITIVE_INFINITY
                    : Math.expm1(NormalTail.surprise(largest) / settings.repeatPenalty());
        }
    }

    /** The discounted surprise of |z| in nats; records it if {@code record} (not during an episode: a fault is not normal behaviour). */
    double surprise(SeriesState s, double z, boolean record) {
        if (s.zHistogram == null) {
            s.zHistogram = new double[BINS];
            s.histogramWeight = 1;
        }
        double magnitude = Math.min(Math.abs(z), (BINS - 1) * BIN_WIDTH);
        int bin = (int) (magnitude / BIN_WIDTH);
        double seen = seenFrom(s, bin);
        double surprise = 0;
        if (seen < silencedFrom[bin]) {
            double gaussian = NormalTail.surprise(magnitude);
            // log(1 + seen), not log1p: seen is a decayed count, where log1p's care for tiny arguments buys nothing,
            // and log1p is not a JIT intrinsic (it was 5% of DetectJob's scoring thread).
            surprise = Math.max(gaussian - settings.repeatPenalty() * Math.log(1 + seen), 0);
            if (magnitude >= 2 * RECURRING_FROM_SIGMAS) {
                surprise = Math.min(surprise, recurringSurprise(s, magnitude, gaussian));
            }
        }
        if (!record) {
            return surprise;
        }

        s.histogramWeight /= settings.calibrationDecay();
        if (s.histogramWeight > RESCALE_ABOVE) {
            for (int i = 0; i < BINS; i++) {
                s.zHistogram[i] /= s.histogramWeight;
            }
            s.histogramTotal /= s.histogramWeight;
            s.histogramWeight = 1;
        }
        s.zHistogram[bin] += s.histogramWeight;
        s.histogramTotal += s.histogramWeight;
        return surprise;
    }

    /**
     * {@code -ln(P_gauss + (k - 1) / n)}: k earlier deviations at least half as large among n samples (decayed counts),
     * the first of them a one-off that does not make a habit. Computed in logs: {@code gaussian} may be hundreds of nats.
     */
    private static double recurringSurprise(SeriesState s, double magnitude, double gaussian) {
        double repeats = seenBefore(s, magnitude / 2) - 1;
        double samples = s.histogramTotal / s.histogramWeight;
        if (repeats <= 0 || samples <= 0) {
            return gaussian;
        }
        double logFrequency = Math.log(repeats / samples);
        double larger = Math.max(-gaussian, logFrequency);
        return Math.max(-(larger + Math.log(Math.exp(-gaussian - larger) + Math.exp(logFrequency - larger))), 0);
    }

    /** Earlier deviations at least as large as |z| (decayed count), for the evidence. */
    static double seenBefore(SeriesState s, double z) {
        return seenFrom(s, (int) (Math.min(Math.abs(z), (BINS - 1) * BIN_WIDTH) / BIN_WIDTH));
    }

    /** Earlier deviations in {@code bin} or above (decayed count). */
    private static double seenFrom(SeriesState s, int bin) {
        if (s.zHistogram == null) {
            return 0;
        }
        double seen = 0;
        if (bin < BINS / 2) {
            // Most samples are small deviations: the total minus the few bins below is fewer additions than the tail.
            double below = 0;
            for (int i = 0; i < bin; i++) {
                below += s.zHistogram[i];
            }
            seen = Math.max(s.histogramTotal - below, 0);
        } else {
            for (int i = bin; i < BINS; i++) {
                seen += s.zHistogram[i];
            }
        }
        return seen / s.histogramWeight;
    }

    /** For {@link SeriesDetector#readAhead}: the histogram's first line, where nearly every sample's bins are. */
    static long readAhead(SeriesState s) {
        return s.zHistogram == null ? 0 : Double.doubleToRawLongBits(s.zHistogram[0]);
    }

    /** Maps a surprise in nats to a score in [0,1): 0.5 at {@link #HALF_SCORE_SURPRISE}. */
    static double score(double surprise) {
        return surprise <= 0 ? 0 : surprise / (surprise + HALF_SCORE_SURPRISE);
    }
}
