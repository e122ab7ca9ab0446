package io.x0tta6bl4.jobs.detect;

/**
 * How surprising a standardised deviation is under a normal model, in nats: {@code -ln P(|Z| >= z)}.
 * Works in the log domain throughout, so a 30-sigma deviation is still ordered above a 20-sigma one
 * (a plain tail probability would underflow to 0 for both).
 */
final class NormalTail {
    private static final double HALF_LN_PI_OVER_2 = 0.5 * Math.log(Math.PI / 2);

    /** Steps per standard deviation of {@link #AT_MOST}. */
    private static final int STEPS = 8;
    /**
     * {@link #surprise} at z = i / STEPS up to 8, each raised by a margin: increasing in z, so the entry at or above z
     * bounds the surprise of z from above without a logarithm.
     */
    private static final double[] AT_MOST = new double[8 * STEPS + 1];

    static {
        for (int i = 0; i < AT_MOST.length; i++) {
            AT_MOST[i] = surprise((double) i / STEPS) * 1.001 + 1e-6;
        }
    }

    private NormalTail() {}

    /** An upper bound of {@link #surprise}{@code (z)}, by table lookup (infinite from z = 8 on). */
    static double surpriseAtMost(double z) {
        if (!(z > 0)) {
            return 0;
        }
        return z < 8 ? AT_MOST[(int) (z * STEPS) + 1] : Double.POSITIVE_INFINITY;
    }

    /** {@code -ln P(|Z| >= z)} for a standard normal Z; 0 for z <= 0. */
    static double surprise(double z) {
        if (!(z > 0)) {
            return 0;
        }
        if (z >= 8) {
            // Mills-ratio asymptote: P(|Z| >= z) ~ sqrt(2/pi) e^(-z^2/2) / z, relative error < 1.6% from z = 8.
            return z * z / 2 + Math.log(z) + HALF_LN_PI_OVER_2;
        }
        // P(|Z| >= z) = erfc(z / sqrt 2); erfc by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), kept in logs.
        double x = z / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return x * x - Math.log(poly);
    }
}
