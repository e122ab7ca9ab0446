package io.x0tta6bl4.jobs.detect;

/**
 * A robust on-line detector for one series: an EWMA baseline with an EWMA of absolute deviations as scale
 * (a streaming stand-in for median/MAD), a warm-up, a confirmation count before an episode opens and a
 * clearing count before it closes, so one outlier never raises an alarm and one normal sample never ends
 * an episode. During an episode the baseline adapts ten times slower, so a sustained fault stays visible.
 *
 * <p>Stateless itself: all memory is in the {@link SeriesState} it is handed, which is Flink state.
 */
public final class SeriesDetector {
    /** What one sample did to the series' episode. */
    public enum Transition { NONE, STARTED, ENDED }

    /** 1.4826 turns a mean absolute deviation of normal data into a standard deviation estimate (roughly). */
    private static final double MAD_TO_SIGMA = 1.4826;

    private final DetectorSettings settings;

    public SeriesDetector(DetectorSettings settings) {
        this.settings = settings;
    }

    /** Scores one sample; returns whether it opened or closed an episode. Non-finite values are skipped. */
    public Transition update(SeriesState s, long timestampMs, double rawValue, boolean counter) {
        if (timestampMs <= s.lastTimestampMs || !Double.isFinite(rawValue)) {
            return Transition.NONE; // duplicates, disorder beyond the watermark, NaN and infinities
        }
        double value = rawValue;
        if (counter) {
            double previous = s.lastRaw;
            long previousTs = s.lastTimestampMs;
            s.lastRaw = rawValue;
            s.lastTimestampMs = timestampMs;
            if (Double.isNaN(previous) || rawValue < previous) {
                return Transition.NONE; // first sample, or a counter reset: no rate this time
            }
            value = (rawValue - previous) * 1000.0 / (timestampMs - previousTs);
        }
        s.lastTimestampMs = timestampMs;

        if (s.samples < settings.warmupSamples()) {
            // Running mean and mean absolute deviation while warming up: every sample weighs the same.
            s.samples++;
            double delta = value - s.mean;
            s.mean += delta / s.samples;
            s.deviation += (Math.abs(value - s.mean) - s.deviation) / s.samples;
            return Transition.NONE;
        }
        s.samples++;
        double z = zScore(s, value);
        Transition transition = Transition.NONE;
        if (z >= settings.startZ()) {
            if (s.aboveInRow == 0) {
                s.firstAboveMs = timestampMs;
            }
            s.aboveInRow++;
            s.belowInRow = 0;
            if (!s.inEpisode && s.aboveInRow >= settings.confirmSamples()) {
                s.inEpisode = true;
                s.episodeStartMs = s.firstAboveMs;
                s.peakZ = 0;
                s.expected = s.mean;
                transition = Transition.STARTED;
            }
        } else {
            s.aboveInRow = 0;
            if (s.inEpisode && z < settings.endZ()) {
                s.belowInRow++;
                if (s.belowInRow >= settings.clearSamples()) {
                    s.inEpisode = false;
                    s.belowInRow = 0;
                    transition = Transition.ENDED;
                }
            } else {
                s.belowInRow = 0;
            }
        }
        if (s.inEpisode && z > s.peakZ) {
            s.peakZ = z;
            s.peakMs = timestampMs;
            s.peakObserved = value;
        }
        double alpha = z >= settings.startZ() || s.inEpisode ? settings.alpha() / 10 : settings.alpha();
        s.mean += alpha * (value - s.mean);
        s.deviation += alpha * (Math.abs(value - s.mean) - s.deviation);
        return transition;
    }

    double zScore(SeriesState s, double value) {
        double scale = Math.max(MAD_TO_SIGMA * s.deviation, Math.max(settings.relativeFloor() * Math.abs(s.mean), 1e-9));
        return Math.abs(value - s.mean) / scale;
    }

    /** Maps a z-score to [0,1): 0.5 at the alarm threshold, approaching 1 for extreme deviations. */
    public double calibrate(double z) {
        return z <= 0 ? 0 : z / (z + settings.startZ());
    }
}
