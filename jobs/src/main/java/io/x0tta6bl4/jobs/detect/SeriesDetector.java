package io.x0tta6bl4.jobs.detect;

/**
 * The detector DetectJob and {@code x0 evaluate nab} run, one sample at a time, no look-ahead. An ensemble:
 * {@link SeasonalBaseline} says what the value should be (level, daily or weekly, whichever fits the series) and
 * how many standard deviations it is off; {@link SurpriseCalibration} turns that into a surprise that accounts for
 * how often this series deviates that much; {@link WindowNovelty} says how unlike every earlier shape its last few
 * deviations from that expectation are; {@link HistoricalRange} says how far beyond every value the series has shown
 * it lies. The baseline's surprise counts less when the novelty member finds the recent shape familiar (a habit, not
 * news). The largest surprise, less a correction for fast sampling, becomes the score in [0,1).
 * An episode starts when two samples in a row reach the alarm score or one reaches the instant score, ends after
 * {@code clearSamples} quiet samples, and the next one may start only after {@code rearmSamples} (or sooner for a
 * clearly stronger deviation): one alarm per incident, not one per sample.
 *
 * <p>Non-finite values, magnitudes beyond a quarter of a float's range, duplicates and samples older than the last are
 * skipped; a counter is turned into a rate per second, and a counter that goes down (restart) gives no rate for that sample.
 *
 * <p>Stateless itself: all memory is in the {@link SeriesState} it is handed, which is Flink state.
 */
public final class SeriesDetector {
    /** What one sample did to the series' episode. */
    public enum Transition { NONE, STARTED, ENDED }

    /**
     * Larger magnitudes are skipped like NaN: the seasonal profile keeps floats, and a value beyond a float's range (a
     * broken exporter's 1e300) stored as an infinity left the baseline's scale infinite for good (nothing alarmed again).
     * A quarter of a float's range keeps sums and differences of two values finite too.
     */
    static final double LARGEST_VALUE = Float.MAX_VALUE / 4;
    private static final double EPISODE_LEARNING = 0.1;
    private static final double INTERVAL_LEARNING = 0.05;

    private final DetectorSettings settings;
    private final SeasonalBaseline baseline;
    private final SurpriseCalibration calibration;
    private final WindowNovelty novelty;
    private final HistoricalRange range;
    private final SeasonalBaseline.Estimate estimate = new SeasonalBaseline.Estimate();
    private double lastScore;
    private double lastZ;
    private double lastNoveltyZ;

    public SeriesDetector(DetectorSettings settings) {
        this.settings = settings;
        this.baseline = new SeasonalBaseline(settings);
        this.calibration = new SurpriseCalibration(settings);
        this.novelty = new WindowNovelty(settings);
        this.range = new HistoricalRange(settings);
    }

    /** Scores one sample; returns whether it opened or closed an episode. */
    public Transition update(SeriesState s, long timestampMs, double rawValue, boolean counter) {
        return update(s, timestampMs, rawValue, counter, false);
    }

    /**
     * As {@link #update(SeriesState, long, double, boolean)}; with {@code upperOnly} a value below its baseline
     * never alarms (an error or a latency that improves is not an anomaly).
     */
    public Transition update(SeriesState s, long timestampMs, double rawValue, boolean counter, boolean upperOnly) {
        lastScore = 0;
        lastZ = 0;
        lastNoveltyZ = Double.NaN;
        // A clock stepped back gives the series a new present, with no interval: skipped, the series would stay blind
        // until the clock caught up.
        boolean clockStepped = clockSteppedBack(settings, s.lastTimestampMs, timestampMs);
        if ((timestampMs <= s.lastTimestampMs && !clockStepped) || !(Math.abs(rawValue) <= LARGEST_VALUE)) {
            return Transition.NONE; // duplicates, disorder beyond the watermark, NaN, infinities and astronomical values
        }
        if (clockStepped) {
            s.firstTimestampMs += timestampMs - s.lastTimestampMs; // the series keeps its age (seasons need a whole period)
        }
        long intervalMs = s.lastTimestampMs == Long.MIN_VALUE || clockStepped ? 0 : timestampMs - s.lastTimestampMs;
        double value = rawValue;
        if (counter) {
            double previous = s.lastRaw;
            s.lastRaw = rawValue;
            s.lastTimestampMs = timestampMs;
            if (Double.isNaN(previous) || rawValue < previous || intervalMs == 0) {
                return Transition.NONE; // first sample, a counter reset or a clock step: no rate this time
            }
            value = (rawValue - previous) * 1000.0 / intervalMs;
            if (!(value <= LARGEST_VALUE)) {
                return Transition.NONE; // a rate beyond a float's range is no measurement either
            }
        }
        s.lastTimestampMs = timestampMs;
        s.samples++;
        if (intervalMs > 0) {
            // An interval counts for at most twice the typical one: a gap (an outage, a restart, lost samples) says
            // nothing about how often the series is sampled. Counted in full, nine silent minutes of a one-second
            // series made it look like a 28-second one, whose alarms need 3 nats less surprise, for a minute or two
            // after it, just when the first samples after an outage are odd. A real change of scrape interval is still
            // learnt: slower by 5 % a sample (1 s to 15 s in ≈ 55 samples), faster at once.
            double typical = s.meanIntervalMs;
            s.meanIntervalMs = typical == 0 ? intervalMs : typical + INTERVAL_LEARNING * (Math.min(intervalMs, 2 * typical) - typical);
        }
        s.sinceEpisodeStart++;
        // The sample's share of five minutes (at most 1): the seasonal profile and the range member measure memory in time.
        double weightScale = Math.min(1.0, intervalMs / SeasonalBaseline.REFERENCE_INTERVAL_MS);

        // Score first, then learn: an estimate must not have seen the value it judges.
        baseline.estimate(s, timestampMs, value, estimate);
        if (!estimate.ready()) {
            baseline.learn(s, value, weightScale, 1.0);
            return Transition.NONE; // warming up
        }
        lastZ = estimate.z;
        double z = upperOnly ? Math.max(estimate.z, 0) : estimate.z;
        double surprise = calibration.surprise(s, z, !s.inEpisode);
        // The two members vote by the larger surprise: each sees what the other cannot (a value off its expectation,
        // a recent shape of deviations unlike any before). A shape below expectation does not count where only up is bad.
        boolean byNovelty = false;
        if (settings.noveltyWeight() > 0) {
            // The member sees the deviations from the expected value, not the values: level and season are the
            // baseline's business, so the shapes it remembers are shapes of departures (measured on NAB: 65.6
            // against 64.1 with raw values).
            lastNoveltyZ = novelty.observe(s, value - estimate.expected, s.inEpisode ? EPISODE_LEARNING : 1.0);
            // A deviation in a shape the series has shown before is its habit, however far it lies from the baseline:
            // a spiky series' routine spike sits near a prototype, a fault's first samples do not. The calibration
            // counts how often deviations of this size came, not whether they looked like this; the novelty member
            // knows the shape. Measured on NAB (development subset): false positives 90 → 42, 68.7 → 71.7; weight 0.6
            // rather than 0.5 (72.0 there) because it also held up on the subset thinned to 10- and 15-minute samples.
            if (familiar(lastNoveltyZ)) {
                surprise *= settings.familiarShapeWeight();
            }
            // Its surprise counts only above both the baseline's and the sampling correction (below that the score is
            // 0 either way): a bound from a table decides whether it can get there, sparing most samples a logarithm.
            if (lastNoveltyZ > 0 && !(upperOnly && estimate.z < 0)
                    && settings.noveltyWeight() * NormalTail.surpriseAtMost(lastNoveltyZ) > Math.max(surprise, samplingCorrection(s))) {
                double noveltySurprise = settings.noveltyWeight() * NormalTail.surprise(lastNoveltyZ);
                byNovelty = noveltySurprise > surprise;
                surprise = Math.max(surprise, noveltySurprise);
            }
        }
        // The range member sees the value itself: a series whose spikes are its habit is quiet for the calibration, and
        // the one spike that rises above all of them is news only against the whole history of values.
        boolean byRange = false;
        double rangeExcess = 0;
        if (settings.rangeWeight() > 0) {
            double rangeSurprise = range.observe(s, value, weightScale, upperOnly);
            rangeExcess = range.lastExcess();
            byRange = rangeSurprise > surprise;
            surprise = Math.max(surprise, rangeSurprise);
        }
        double score = SurpriseCalibration.score(Math.max(surprise - samplingCorrection(s), 0));
        lastScore = score;
        boolean alarming = score >= settings.alarmScore();
        // Inside an episode the baselines and their scale learn ten times slower: a sustained fault stays visible
        // until it is healed (or has lasted long enough to be the new normal). The sample that opens an episode is
        // still learnt in full: how far a series' outliers reach is part of its normal behaviour (a heavy-tailed
        // series must not alarm on every spike of the size it routinely shows).
        baseline.learn(s, value, weightScale, s.inEpisode ? EPISODE_LEARNING : 1.0);

        // Two alarming samples in a row open an episode, or one beyond the instant score: noise produces a single
        // alarming sample now and then, rarely two in a row, while a real shift or a big spike gets through.
        boolean confirmed = alarming && (s.alarmingInRow > 0 || score >= settings.instantScore());
        s.alarmingInRow = alarming ? s.alarmingInRow + 1 : 0;
        if (s.alarmingInRow == 1) {
            s.episode.firstAlarmMs = timestampMs;
        }
        s.baseline = estimate.baseline;
        Transition transition = Transition.NONE;
        if (!s.inEpisode) {
            // Inside the re-arm period only a clearly stronger deviation than the last episode's peak alarms again.
            if (confirmed && (s.sinceEpisodeStart >= settings.rearmSamples() || score > s.episode.peakScore + settings.escalationMargin())) {
                s.inEpisode = true;
                s.sinceEpisodeStart = 0;
                s.belowInRow = 0;
                Episode episode = s.episode;
                episode.startMs = episode.firstAlarmMs; // the onset, not the confirming sample
                episode.peakScore = 0;
                episode.expected = estimate.expected;
                episode.baseline = estimate.baseline;
                episode.seenBefore = SurpriseCalibration.seenBefore(s, estimate.z) - 1; // minus this very sample
                transition = Transition.STARTED;
            }
        } else if (alarming) {
            s.belowInRow = 0;
        } else if (++s.belowInRow >= settings.clearSamples()) {
            s.inEpisode = false;
            transition = Transition.ENDED;
        }
        if (s.inEpisode && (transition == Transition.STARTED || score > s.episode.peakScore)) {
            Episode episode = s.episode;
            episode.peakScore = score;
            episode.peakZ = estimate.z;
            episode.peakMs = timestampMs;
            episode.peakObserved = value;
            episode.peakNoveltyZ = lastNoveltyZ;
            episode.peakByNovelty = byNovelty && !byRange;
            episode.peakRangeExcess = rangeExcess;
            episode.peakByRange = byRange;
        }
        return transition;
    }

    /**
     * Whether a timestamp older than the last one ({@code lastMs}; MIN_VALUE: none yet) by more than the idle timeout
     * means a clock stepped back, not a late sample (those are seconds late): the node's clock was set back, or the last
     * one came from a clock that ran ahead. The series and the node's silence ({@link NodeSilence}) both take it as
     * their new present.
     */
    static boolean clockSteppedBack(DetectorSettings settings, long lastMs, long timestampMs) {
        return lastMs != Long.MIN_VALUE && lastMs - timestampMs > settings.idleTimeoutMs();
    }

    /**
     * Closes the series' open episode without a sample, because it fell silent (the node is down, or the series is
     * gone); returns whether one was open. What comes when it returns is judged afresh: the re-arm period is over, so
     * a fault still there alarms again.
     */
    public boolean endSilentEpisode(SeriesState s) {
        if (!s.inEpisode) {
            return false;
        }
        s.inEpisode = false;
        s.belowInRow = 0;
        s.alarmingInRow = 0;
        s.sinceEpisodeStart = Math.max(s.sinceEpisodeStart, settings.rearmSamples());
        return true;
    }

    /**
     * Reads a value from each cache line that {@link #update} reads of these series, and returns a meaningless sum (the
     * caller keeps it, or the compiler drops the reads). Called with a batch's series before any of them is scored: when
     * a fleet's state does not fit in the cache, their misses then overlap instead of stalling each sample in turn.
     * Which lines is a heuristic, never a result: the JVM lays out a state's fields by size in declaration order, so a
     * field from each stretch of about 64 bytes; then the members' arrays.
     */
    public static long readAhead(SeriesState[] series) {
        long sum = 0;
        for (SeriesState s : series) {
            sum += s.samples + Double.doubleToRawLongBits(s.dailyVariance) + s.slotEndMs + s.rangeSamples + s.sinceEpisodeStart;
            sum += SurpriseCalibration.readAhead(s) + WindowNovelty.readAhead(s);
        }
        return sum;
    }

    /**
     * Nats of surprise a sample must pay for being one of many: the alarm scores are set for one sample every five
     * minutes, and a series sampled every second offers 300 times as many chances to look surprising by luck. Taking
     * off {@code ln(300)} (a Bonferroni correction over the day's samples) keeps the false alarms per series per day
     * the same at any sampling rate; slower sampling gets no bonus.
     */
    private static double samplingCorrection(SeriesState s) {
        if (s.correctionForIntervalMs != s.meanIntervalMs) { // recomputed only when the typical interval moves
            double reference = SeasonalBaseline.REFERENCE_INTERVAL_MS;
            s.samplingCorrection = s.meanIntervalMs > 0 && s.meanIntervalMs < reference ? Math.log(reference / s.meanIntervalMs) : 0;
            s.correctionForIntervalMs = s.meanIntervalMs;
        }
        return s.samplingCorrection;
    }

    /** Whether a window-novelty z says the recent shape is one the series has shown before (NaN, while warming up: no). */
    boolean familiar(double noveltyZ) {
        return noveltyZ < settings.familiarShapeZ();
    }

    /** The calibrated score of the last sample passed to {@link #update} (0 if it was skipped or warming up). */
    public double lastScore() {
        return lastScore;
    }

    /** The signed standardised residual of the last sample passed to {@link #update} (0 if skipped or warming up). */
    public double lastZ() {
        return lastZ;
    }

    /** The novelty member's standardised window distance for the last sample (NaN if it did not score it). */
    public double lastNoveltyZ() {
        return lastNoveltyZ;
    }

    /** Name of the baseline the last episode was measured against, for the evidence. */
    public static String episodeBaselineName(SeriesState s) {
        return SeasonalBaseline.NAMES[s.episode.baseline];
    }

    /** Name of the baseline that explains the series best at the moment (level, daily or weekly). */
    public static String currentBaselineName(SeriesState s) {
        return s.baseline < 0 ? "none yet" : SeasonalBaseline.NAMES[s.baseline];
    }
}
