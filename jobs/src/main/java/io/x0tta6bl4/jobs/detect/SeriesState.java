package io.x0tta6bl4.jobs.detect;

/**
 * Everything the detector remembers about one series: constant size, whatever the series' length
 * (about 5 KB: the seasonal slots as floats, the z histogram, the novelty member's 64 window prototypes). A Flink POJO (public fields, no-arg
 * constructor) so its state serializer can evolve.
 */
public class SeriesState {
    /** Which series: its metric name and canonical labels ("" for none), and the node's labels at its last anomaly. */
    public String metric;
    public String labels = "";
    /**
     * The decoded label map {@link #labels} was last found equal to: the decoder hands out one read-only map per
     * encoding, so the same map needs no comparison (no walk of the map, no read of the string). Not state: after a
     * restore the first batch compares again.
     */
    public transient java.util.Map<String, String> labelsCheckedFor;
    public String nodeLabels = "";
    public long samples;
    public long firstTimestampMs;
    public long lastTimestampMs = Long.MIN_VALUE;
    /** The typical sampling interval (exponentially weighted): faster sampling must be more surprising to alarm. */
    public double meanIntervalMs;
    /** The detector's sampling correction (nats) and the typical interval it was computed for. */
    public double samplingCorrection;
    public double correctionForIntervalMs;
    /** Counters: the previous raw value, turned into a rate per second. */
    public double lastRaw = Double.NaN;

    // SeasonalBaseline: level, daily and weekly slots, and per baseline its residual statistics.
    public float[] profile;
    /** Per baseline: the variance of its residuals (the z-score's scale), their recent mean square (its fit), their count. */
    public double levelVariance;
    public double dailyVariance;
    public double weeklyVariance;
    public double levelFit;
    public double dailyFit;
    public double weeklyFit;
    public long levelResiduals;
    public long dailyResiduals;
    public long weeklyResiduals;
    /** The profile slots of the current 15-minute slot (daily, weekly) and when it ends: recomputed once per slot. */
    public int dailySlot;
    public int weeklySlot;
    public long slotEndMs = Long.MIN_VALUE;
    /**
     * The current slots' values (level, daily, weekly; NaN: not visited yet). They live here while the slot lasts and
     * go back into {@link #profile} when it ends: a sample then reads no line of the profile array, which is three
     * cache lines fewer per sample. Valid while {@link #slotEndMs} is set; the profile's own copies are stale meanwhile.
     */
    public float levelValue = Float.NaN;
    public float dailyValue = Float.NaN;
    public float weeklyValue = Float.NaN;

    // SurpriseCalibration: the decayed histogram of z-scores.
    public double[] zHistogram;
    public double histogramWeight;
    public double histogramTotal;

    // WindowNovelty: the recent window, the prototypes of windows seen, and the statistics of log distances.
    /** {@code PROTOTYPES × WINDOW} prototype values, then the last {@code WINDOW} values (a ring). */
    public float[] windowPrototypes;
    public long windowSamples;
    public long[] prototypeLastMatch;
    public int prototypeCount;
    /** Whether the prototypes are stored coordinate by coordinate (false: row by row; see WindowNovelty). */
    public boolean prototypesByCoordinate;
    public int lastNearest;
    public double largestMagnitude;
    public long distances;
    public double logDistanceMean;
    public double logDistanceVariance;

    // HistoricalRange: the range of the values seen (forgetting slowly) and their long-run spread.
    public long rangeSamples;
    /** The running mean the member judges. */
    public double rangeSmoothed;
    public double rangeLow;
    public double rangeHigh;
    public double longRunMean;
    public double longRunVariance;

    // The episode: whether one is open and what the next sample needs; the rest of it is in its own object.
    public boolean inEpisode;
    public int belowInRow;
    public int alarmingInRow;
    /** Samples since the last episode started: a new one may start only after the re-arm period. */
    public long sinceEpisodeStart = Long.MAX_VALUE / 2;
    /** The baseline the last sample was scored against (-1: none yet). */
    public int baseline = -1;
    public Episode episode = new Episode();

    public SeriesState() {}

    /** The series' name in its node: the metric, then its canonical labels after a '|' if it has any. */
    public String key() {
        return labels.isEmpty() ? metric : metric + "|" + labels;
    }
}
