package io.x0tta6bl4.jobs.detect;

import java.io.Serializable;
import java.lang.reflect.RecordComponent;
import java.util.Map;

/**
 * Parameters of the per-series detector. One set for every series: nothing is tuned per metric or per file.
 * The defaults were chosen on the NAB development subset ({@code x0 evaluate nab}).
 *
 * @param warmupSamples residuals a baseline needs before it is scored
 * @param levelAlpha weight of a new sample in the level baseline
 * @param profileAlpha weight of a new sample in its seasonal slot (per 5-minute sample; spread over faster sampling)
 * @param varianceAlpha weight of a new squared residual in a baseline's variance (the z-score's scale)
 * @param fitAlpha weight of a new squared residual in a baseline's fit (which baseline explains the series best)
 * @param calibrationDecay per-sample decay of the z-score histogram (0.9999: a memory of about 10,000 samples)
 * @param repeatPenalty nats of surprise removed per e-fold of earlier deviations as large
 * @param alarmScore calibrated score that counts as alarming: two alarming samples in a row start an episode
 * @param instantScore calibrated score at which a single sample starts an episode (a spike)
 * @param clearSamples consecutive samples below the alarm score that close an episode
 * @param rearmSamples samples after an episode starts before the next one may start (one alarm per incident)
 * @param escalationMargin within the re-arm period, a score this much above the last episode's peak starts a new one
 * @param relativeFloor smallest scale as a fraction of the expected level (flat series are not infinitely sensitive)
 * @param idleTimeoutMs a series silent this long (event time) has its open episode closed (the node or the series is gone)
 * @param forgetAfterMs a series silent this long (event time) is forgotten, and all it learnt with it: long enough that a
 *        node's reboot or a network partition does not cost its baselines (a week for the weekly one), short enough that
 *        series which come and go (a label per container) do not pile up
 * @param maxSeriesPerNode a node with more series than this loses the ones it has not sent for longest (a label that
 *        takes a new value every interval, a request id or a time, makes a new series each time)
 * @param nodeSilentAfterMs a node that sent nothing this long (event time), or five of its usual batch intervals if longer,
 *        is reported silent: down, or its exporter or network path is (0 switches this off)
 * @param noveltyWeight weight of the window-novelty member's surprise against the baseline's (0 switches the member off)
 * @param noveltyRadius a window farther from every prototype than this many standard deviations of log distance becomes one
 * @param noveltyAlpha weight of a new log distance in the novelty member's statistics
 * @param noveltyWarmupSamples windows the novelty member measures before it scores
 * @param rangeWeight weight of the range member's surprise against the baseline's (0 switches the member off)
 * @param rangeSmoothing weight of a new value in the running mean the range member judges (1: every value as it is)
 * @param rangeSharpness a mean beyond the series' range by d long-run standard deviations is as surprising as a z of sharpness × d
 * @param rangeForgetting how far the range closes in on the long-run mean each sample (per 5-minute sample; spread over faster sampling)
 * @param rangeWarmupSamples values the range member learns before it scores
 * @param familiarShapeZ a sample whose recent window lies less than this many standard deviations of log distance beyond
 *        the series' usual distance from its nearest prototype has a familiar shape (the window-novelty member's z)
 * @param familiarShapeWeight the calibrated surprise of a sample with a familiar shape is multiplied by this (1: off)
 */
public record DetectorSettings(int warmupSamples, double levelAlpha, double profileAlpha, double varianceAlpha, double fitAlpha,
        double calibrationDecay, double repeatPenalty, double alarmScore, double instantScore, int clearSamples, int rearmSamples,
        double escalationMargin, double relativeFloor, long idleTimeoutMs, long forgetAfterMs, int maxSeriesPerNode, long nodeSilentAfterMs, double noveltyWeight, double noveltyRadius, double noveltyAlpha,
        int noveltyWarmupSamples, double rangeWeight, double rangeSmoothing, double rangeSharpness, double rangeForgetting, int rangeWarmupSamples,
        double familiarShapeZ, double familiarShapeWeight) implements Serializable {

    public static DetectorSettings defaults() {
        return new DetectorSettings(20, 0.01, 0.1, 0.005, 0.02, 0.9999, 2.0, 0.35, 0.45, 10, 200, 0.2, 0.0, 10 * 60_000L, 24 * 3_600_000L, 5_000, 60_000L, 0.85, 2.0, 0.003, 300, 0.5, 1.0, 4.0, 1e-4, 500, 1.5, 0.6);
    }

    public DetectorSettings {
        // Each rule names what it wants, so that a wrong --detect.settings value says which one and why.
        require(warmupSamples >= 2, "warmupSamples must be at least 2");
        require(fraction(levelAlpha) && fraction(profileAlpha) && fraction(varianceAlpha) && fraction(fitAlpha),
                "levelAlpha, profileAlpha, varianceAlpha and fitAlpha must lie strictly between 0 and 1");
        require(fraction(calibrationDecay), "calibrationDecay must lie strictly between 0 and 1");
        require(repeatPenalty >= 0, "repeatPenalty must not be negative");
        require(fraction(alarmScore) && instantScore >= alarmScore && instantScore < 1,
                "alarmScore and instantScore must satisfy 0 < alarmScore <= instantScore < 1");
        require(clearSamples >= 1 && rearmSamples >= 0 && escalationMargin >= 0,
                "clearSamples must be at least 1, rearmSamples and escalationMargin not negative");
        require(relativeFloor >= 0, "relativeFloor must not be negative");
        require(idleTimeoutMs > 0 && forgetAfterMs >= idleTimeoutMs, "idleTimeoutMs must be positive and forgetAfterMs at least idleTimeoutMs");
        require(maxSeriesPerNode >= 1, "maxSeriesPerNode must be at least 1");
        require(nodeSilentAfterMs >= 0, "nodeSilentAfterMs must not be negative (0 switches it off)");
        require(noveltyWeight >= 0 && noveltyRadius > 0 && fraction(noveltyAlpha) && noveltyWarmupSamples >= 1,
                "noveltyWeight must not be negative, noveltyRadius must be positive, noveltyAlpha strictly between 0 and 1, noveltyWarmupSamples at least 1");
        require(rangeWeight >= 0 && rangeSmoothing > 0 && rangeSmoothing <= 1 && rangeSharpness > 0 && rangeForgetting >= 0 && rangeForgetting < 1
                && rangeWarmupSamples >= 2, "rangeWeight must not be negative, rangeSmoothing in (0, 1], rangeSharpness positive, "
                + "rangeForgetting in [0, 1), rangeWarmupSamples at least 2");
        require(Double.isFinite(familiarShapeZ) && familiarShapeWeight > 0 && familiarShapeWeight <= 1,
                "familiarShapeZ must be finite and familiarShapeWeight in (0, 1]");
    }

    private static void require(boolean holds, String rule) {
        if (!holds) {
            throw new IllegalArgumentException("inconsistent detector settings: " + rule);
        }
    }

    /** Not a nested conditional: that would promote every branch to double. */
    private static Object parse(Class<?> type, String text) {
        if (type == int.class) {
            return Integer.parseInt(text);
        }
        if (type == long.class) {
            return Long.parseLong(text);
        }
        return Double.parseDouble(text);
    }

    private static boolean fraction(double v) {
        return v > 0 && v < 1;
    }

    /** These settings with some replaced by name, e.g. {@code alarmScore=0.5}; unknown names are an error. */
    public DetectorSettings with(Map<String, String> overrides) {
        RecordComponent[] components = DetectorSettings.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                String override = overrides.get(components[i].getName());
                Object current = components[i].getAccessor().invoke(this);
                values[i] = override == null ? current : parse(types[i], override.trim());
            }
            for (String name : overrides.keySet()) {
                if (java.util.Arrays.stream(components).noneMatch(c -> c.getName().equals(name))) {
                    throw new IllegalArgumentException("unknown detector setting '" + name + "'");
                }
            }
            return DetectorSettings.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(cause.getMessage(), cause);
        }
    }
}
