package io.x0tta6bl4.jobs.detect;

/**
 * Everything the detector remembers about one series: constant size, whatever the series' length.
 * A Flink POJO (public fields, no-arg constructor) so its state serializer can evolve.
 */
public class SeriesState {
    public long samples;
    public double mean;
    public double deviation;
    public long lastTimestampMs = Long.MIN_VALUE;
    /** Counters: the previous raw value, turned into a rate per second. */
    public double lastRaw = Double.NaN;
    public int aboveInRow;
    public int belowInRow;
    public long firstAboveMs;
    public boolean inEpisode;
    public long episodeStartMs;
    public long peakMs;
    public double peakZ;
    public double peakObserved;
    public double expected;
    /** The clean-up timer currently registered, or Long.MIN_VALUE. */
    public long cleanupTimerMs = Long.MIN_VALUE;

    public SeriesState() {}
}
