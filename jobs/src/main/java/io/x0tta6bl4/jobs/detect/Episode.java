package io.x0tta6bl4.jobs.detect;

/**
 * What a series' current (or last) episode looked like, for its report: when it began, what was expected then, and its
 * peak. Written when an episode starts and when it peaks, read when it is reported: not every sample, which is why it
 * is an object of its own. As fields of {@link SeriesState} these made every sample's state a cache line longer, and
 * on a fleet whose state does not fit in the cache the lines a sample reads are most of the detector's time.
 * A Flink POJO (public fields, no-arg constructor) inside the series state.
 */
public class Episode {
    /** The first alarming sample of the current run of them: an episode that opens starts there, not at its confirmation. */
    public long firstAlarmMs;
    public long startMs;
    /** The value expected when it started, and the baseline it was measured against (an index of {@link SeasonalBaseline#NAMES}). */
    public double expected;
    public int baseline;
    /** Earlier deviations at least as large as the first one (decayed count), for the evidence. */
    public double seenBefore;
    public long peakMs;
    public double peakScore;
    public double peakZ;
    public double peakObserved;
    /** At the peak: the novelty member's standardised distance, and whether it outweighed the baseline. */
    public double peakNoveltyZ;
    public boolean peakByNovelty;
    /** How far beyond the series' range the peak was, in long-run standard deviations (0: inside it). */
    public double peakRangeExcess;
    public boolean peakByRange;

    public Episode() {}
}
