package io.x0tta6bl4.jobs.detect;

/**
 * Detector 3 of the ensemble, the distance member: how unlike everything this series has shown before its recent
 * shape is. The last {@link #WINDOW} values it is given form a point ({@link SeriesDetector} gives it each sample's
 * deviation from the baseline's expectation: level and season are the baseline's business, the shapes remembered
 * here are shapes of departures from them); the series keeps up to {@link #PROTOTYPES} prototypes of
 * the windows it has seen (on-line leader clustering: a window near its nearest prototype pulls it a little closer,
 * a window far from every prototype becomes one, replacing the one matched least recently). The distance is the
 * largest difference of any one value (Chebyshev), so a single spike counts fully rather than being averaged away.
 *
 * <p>The member needs no scale of its own: the log of the distance to the nearest prototype is standardised against
 * this series' history of such distances (a slow exponentially weighted mean and variance of log distances), and
 * only a window farther than usual scores. A daily spike, a repeated burst or any shape seen before lies near a
 * prototype and stays quiet even when the baseline finds it many standard deviations off; a shape or a noise
 * pattern never seen before is far from all of them. This is what the baseline cannot see: it judges one
 * value against its expectation, this member judges the whole recent shape against memory.
 *
 * <p>The radius that decides "near" is relative too (a window beyond {@code noveltyRadius} standard deviations of
 * log distance becomes a prototype), so the memory holds the series' usual windows in a few slowly moving
 * prototypes plus one for each rare shape it has met; a series whose windows vary widely keeps few prototypes and
 * the member then measures distance from its usual window. Measured on NAB: with the baseline alone the subset
 * scores 60.7, with this member 65.6 (`x0 evaluate nab --setting noveltyWeight=0` shows the difference; fed raw
 * values instead of deviations it made 64.1).
 *
 * <p>Memory is constant per series: {@code PROTOTYPES × WINDOW} floats. Prototypes keep learning during an
 * episode (the new regime becomes familiar: a level shift is reported once, not for ever), the distance statistics
 * learn ten times slower (a fault's distances are not normal ones, but an episode in a series that has really
 * changed must be able to end).
 */
final class WindowNovelty {
    /** Values per window: long enough for a spike's or a step's shape, short enough to react within a few samples. */
    static final int WINDOW = 8; // a power of two (the ring's index is masked); both searches are written out for eight
    /** Prototypes per series: room for the recurring shapes of a few days of 5-minute data. */
    static final int PROTOTYPES = 64;
    /** How far a matched prototype moves towards the window (a slow average: one odd window does not drag it). */
    private static final double PROTOTYPE_LEARNING = 0.1;
    /** Distances are floored at this fraction of the largest recent |value|: a flat series has distance 0 otherwise. */
    private static final double DISTANCE_FLOOR = 1e-9;
    /**
     * Per-sample decay of that largest |value|: one wild value must not raise the floor above every later distance for
     * good (the member would be blind); after ≈ 70,000 samples even a float's range has decayed to ordinary scales.
     * NAB's scores are the same with or without it.
     */
    private static final double MAGNITUDE_DECAY = 0.999;
    /** The largest magnitude stored: differences of stored values, and prototypes moving between them, stay finite. */
    private static final double LARGEST_STORED = SeriesDetector.LARGEST_VALUE;
    /**
     * A series' memory is one array: the last {@link #WINDOW} values (a ring), then the prototypes. The ring comes first,
     * beside the array's header, which every access reads (for its length): header, ring and the first prototype share
     * a cache line, one miss fewer per sample on a fleet whose series do not fit in the cache.
     *
     * <p>Up to {@link #BY_ROW_UP_TO} prototypes, each is {@link #WINDOW} values in a row: a young series' few prototypes
     * sit in a few cache lines and are measured one by one. Past that the memory is rearranged coordinate by coordinate
     * (coordinate i of prototype p at {@code PROTOTYPES_AT + i * PROTOTYPES + p}, {@link SeriesState#prototypesByCoordinate}):
     * then each window value is compared with all 64 prototypes in a loop the JIT turns into vector instructions. Most
     * series fill all 64 slots within hours, and measuring them one by one was then most of the detector's time. The
     * vector loops measure all 64 slots ≈ 3× faster than rows do, but on a series with few prototypes rows are 2× faster,
     * hence both; with the switch at 16, long-running series took 36 % less time per telemetry batch in all (decoding,
     * matching, detection) and young ones the same. Distances are exact either way, so the layout never changes a result.
     */
    private static final int PROTOTYPES_AT = WINDOW;
    static final int MEMORY_SIZE = WINDOW + PROTOTYPES * WINDOW;
    /** Measured: 16 beats 8 and 32 on young and on half-grown series alike. */
    static final int BY_ROW_UP_TO = 16;

    private final DetectorSettings settings;
    private final RunningWeight distanceWeight;
    private final float[] point = new float[WINDOW];
    /** Per prototype slot, its distance to the current window (scratch for the coordinate-by-coordinate layout). */
    private final float[] distances = new float[PROTOTYPES];
    /** The last search's nearest distance, as the bits of a non-negative float. */
    private int nearestBits;
    private final int byRowUpTo;

    WindowNovelty(DetectorSettings settings) {
        this(settings, BY_ROW_UP_TO);
    }

    /** With another layout threshold: {@code PROTOTYPES} keeps rows for ever (the tests compare the two layouts). */
    WindowNovelty(DetectorSettings settings, int byRowUpTo) {
        this.settings = settings;
        this.distanceWeight = new RunningWeight(settings.noveltyAlpha());
        this.byRowUpTo = byRowUpTo;
    }

    /**
     * Adds {@code value} to the window and returns how unusually far the window is from every prototype, in standard
     * deviations of the series' log distances (NaN while warming up). Learns the window, and the distance statistics
     * with their weights multiplied by {@code learning} (less during an episode).
     */
    double observe(SeriesState s, double value, double learning) {
        if (s.windowPrototypes == null) {
            s.windowPrototypes = new float[MEMORY_SIZE];
            s.prototypeLastMatch = new long[PROTOTYPES];
            s.lastNearest = -1;
        }
        // Clamped so that the difference of any two stored values is a finite float: a value beyond a float's range (a
        // broken exporter's 1e300) would be stored as an infinity, the difference of two infinities is NaN, and one NaN
        // distance made the distance statistics NaN for good (the member never scored that series again).
        double clamped = Math.max(-LARGEST_STORED, Math.min(value, LARGEST_STORED));
        float[] memory = s.windowPrototypes;
        memory[(int) (s.windowSamples % WINDOW)] = (float) clamped;
        s.windowSamples++;
        s.largestMagnitude = Math.max(s.largestMagnitude * MAGNITUDE_DECAY, Math.abs(clamped));
        if (s.windowSamples < WINDOW) {
            return Double.NaN;
        }
        int oldest = (int) (s.windowSamples % WINDOW);
        for (int i = 0; i < WINDOW; i++) {
            point[i] = memory[(oldest + i) & (WINDOW - 1)];
        }

        if (!s.prototypesByCoordinate && s.prototypeCount > byRowUpTo) {
            arrangeByCoordinate(memory);
            s.prototypesByCoordinate = true;
        }
        int nearest = s.prototypesByCoordinate ? nearestByCoordinate(s, memory) : nearestByRow(s, memory);
        float best = nearest >= 0 ? Float.intBitsToFloat(nearestBits) : Float.POSITIVE_INFINITY;

        double z = Double.NaN;
        double logDistance = Math.log(best + DISTANCE_FLOOR * (Double.MIN_NORMAL + s.largestMagnitude));
        if (nearest >= 0) {
            double deviation = logDistance - s.logDistanceMean;
            if (s.distances >= settings.noveltyWarmupSamples()) {
                z = deviation / Math.max(Math.sqrt(s.logDistanceVariance), 0.1); // the scale before this distance is learnt
            }
            s.distances++;
            double alpha = learning * distanceWeight.of(s.distances);
            s.logDistanceMean += alpha * deviation;
            s.logDistanceVariance += alpha * (deviation * deviation - s.logDistanceVariance);
        }

        boolean near = nearest >= 0 && logDistance <= s.logDistanceMean + settings.noveltyRadius() * Math.sqrt(s.logDistanceVariance);
        int matched;
        if (near) {
            matched = nearest;
            for (int i = 0; i < WINDOW; i++) {
                int at = at(s, nearest, i);
                memory[at] += (float) (PROTOTYPE_LEARNING * (point[i] - memory[at]));
            }
        } else {
            matched = s.prototypeCount < PROTOTYPES ? s.prototypeCount++ : leastRecentlyMatched(s);
            for (int i = 0; i < WINDOW; i++) {
                memory[at(s, matched, i)] = point[i];
            }
        }
        // Match times are written only when the match moves to another prototype: the current one is by definition
        // the most recent, and a series that keeps matching one prototype does not touch the array at all.
        if (matched != s.lastNearest) {
            if (s.lastNearest >= 0) {
                s.prototypeLastMatch[s.lastNearest] = s.windowSamples - 1;
            }
            s.lastNearest = matched;
        }
        return z;
    }

    /**
     * For {@link SeriesDetector#readAhead}: the lines a sample reads of this member's memory. In rows, the ring and every
     * prototype in use (16 floats a line); coordinate by coordinate, the first line (the vector loops then stream
     * through the rest, which the hardware prefetches); and the match time the next switch of prototype writes.
     */
    static long readAhead(SeriesState s) {
        float[] memory = s.windowPrototypes;
        if (memory == null) {
            return 0;
        }
        long sum = s.prototypeLastMatch[Math.max(s.lastNearest, 0)] + Float.floatToRawIntBits(memory[0]);
        if (!s.prototypesByCoordinate) {
            int used = PROTOTYPES_AT + s.prototypeCount * WINDOW;
            for (int i = 16; i < used; i += 16) {
                sum += Float.floatToRawIntBits(memory[i]);
            }
            sum += Float.floatToRawIntBits(memory[used - 1]); // the last row's end, when it starts a line of its own
        }
        return sum;
    }

    /** Where coordinate {@code i} of prototype {@code p} is kept. */
    private static int at(SeriesState s, int p, int i) {
        return s.prototypesByCoordinate ? PROTOTYPES_AT + i * PROTOTYPES + p : PROTOTYPES_AT + p * WINDOW + i;
    }

    /**
     * The nearest prototype, a tie going to the one matched last time; -1 if there is none. Every prototype is measured
     * in full, without a branch: an early exit per coordinate mispredicts on noisy series (measured 2-4x slower there,
     * and no faster on smooth ones). Distances are non-negative floats, whose bit patterns order like ints: abs and max
     * become integer operations, which compile to branch-free moves. The eight differences are combined pairwise (a tree
     * of maxima three deep, not a chain of eight) from the window's values held in locals, and the nearest distance is
     * kept rather than measured again: alone, on 200 young series with old and new code alternating, the member took
     * ≈ 56 ns a sample instead of ≈ 62, with identical results.
     */
    private int nearestByRow(SeriesState s, float[] memory) {
        float[] x = point;
        float x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
        int nearest = -1;
        int bestBits = Integer.MAX_VALUE;
        for (int p = 0; p < s.prototypeCount; p++) {
            int o = PROTOTYPES_AT + p * WINDOW;
            int d = Math.max(
                    Math.max(Math.max(gap(x0, memory[o]), gap(x1, memory[o + 1])), Math.max(gap(x2, memory[o + 2]), gap(x3, memory[o + 3]))),
                    Math.max(Math.max(gap(x4, memory[o + 4]), gap(x5, memory[o + 5])), Math.max(gap(x6, memory[o + 6]), gap(x7, memory[o + 7]))));
            if (nearer(d, bestBits, p, s)) {
                bestBits = d;
                nearest = p;
            }
        }
        nearestBits = bestBits;
        return nearest;
    }

    /** |x - y| as the bits of a non-negative float. */
    private static int gap(float x, float y) {
        return Float.floatToRawIntBits(x - y) & 0x7fffffff;
    }

    /** Whether prototype {@code p}, at distance {@code bits}, beats the best so far: a tie goes to the one matched last time. */
    private static boolean nearer(int bits, int bestBits, int p, SeriesState s) {
        return bits < bestBits || (bits == bestBits && p == s.lastNearest);
    }

    /** As {@link #nearestByRow}, in the coordinate-by-coordinate layout: the distances of all slots first, in vector loops. */
    private int nearestByCoordinate(SeriesState s, float[] memory) {
        float[] d = distances;
        float x = point[0];
        for (int p = 0; p < PROTOTYPES; p++) {
            d[p] = Math.abs(x - memory[PROTOTYPES_AT + p]);
        }
        // One call per coordinate, not a loop over them: C2 (JDK 17) vectorises a loop only when its offset in the
        // array is a constant, and only over a constant length (all 64 slots, used or not: a loop bounded by the
        // prototype count was left scalar).
        farther(d, memory, point[1], PROTOTYPES_AT + PROTOTYPES);
        farther(d, memory, point[2], PROTOTYPES_AT + 2 * PROTOTYPES);
        farther(d, memory, point[3], PROTOTYPES_AT + 3 * PROTOTYPES);
        farther(d, memory, point[4], PROTOTYPES_AT + 4 * PROTOTYPES);
        farther(d, memory, point[5], PROTOTYPES_AT + 5 * PROTOTYPES);
        farther(d, memory, point[6], PROTOTYPES_AT + 6 * PROTOTYPES);
        farther(d, memory, point[7], PROTOTYPES_AT + 7 * PROTOTYPES);
        int nearest = -1;
        int bestBits = Integer.MAX_VALUE;
        for (int p = 0; p < s.prototypeCount; p++) {
            int bits = Float.floatToRawIntBits(d[p]);
            if (nearer(bits, bestBits, p, s)) {
                bestBits = bits;
                nearest = p;
            }
        }
        nearestBits = bestBits;
        return nearest;
    }

    /** Raises each slot's distance to the window value {@code x} where this coordinate is farther. */
    private static void farther(float[] d, float[] memory, float x, int row) {
        for (int p = 0; p < PROTOTYPES; p++) {
            d[p] = Math.max(d[p], Math.abs(x - memory[row + p]));
        }
    }

    /** Rewrites the prototypes from rows to coordinate by coordinate (once in a series' life; unused slots are 0). */
    private static void arrangeByCoordinate(float[] memory) {
        float[] rows = java.util.Arrays.copyOfRange(memory, PROTOTYPES_AT, MEMORY_SIZE);
        for (int p = 0; p < PROTOTYPES; p++) {
            for (int i = 0; i < WINDOW; i++) {
                memory[PROTOTYPES_AT + i * PROTOTYPES + p] = rows[p * WINDOW + i];
            }
        }
    }

    private static int leastRecentlyMatched(SeriesState s) {
        int oldest = -1;
        for (int p = 0; p < s.prototypeCount; p++) {
            if (p != s.lastNearest && (oldest < 0 || s.prototypeLastMatch[p] < s.prototypeLastMatch[oldest])) {
                oldest = p;
            }
        }
        return oldest;
    }
}
