package io.x0tta6bl4.jobs.detect;

/**
 * The weight of the n-th observation in a statistic that starts as a running mean and becomes exponentially weighted:
 * {@code max(alpha, 1/n)}. From the count at which {@code 1/n} has fallen to alpha on it is alpha, so most samples skip
 * the division (the result is the same: a correctly rounded {@code 1/n} never rises again as n grows).
 */
final class RunningWeight {
    private final double alpha;
    /** The first count whose {@code 1/n} is at most alpha. */
    private final long constantFrom;

    RunningWeight(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("a weight must be in (0, 1], not " + alpha);
        }
        this.alpha = alpha;
        long n = Math.max(1, (long) (1 / alpha) - 1);
        while (1.0 / n > alpha) {
            n++;
        }
        this.constantFrom = n;
    }

    /** {@code max(alpha, 1/n)}. */
    double of(long n) {
        return n >= constantFrom ? alpha : Math.max(alpha, 1.0 / n);
    }
}
