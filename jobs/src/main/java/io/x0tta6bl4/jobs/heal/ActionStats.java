package io.x0tta6bl4.jobs.heal;

/** Knowledge: how often an action worked for a fault kind. A Flink POJO. */
public class ActionStats {
    public long successes;
    public long failures;

    public ActionStats() {}

    /** Laplace-smoothed success rate: an untried action starts at 0.5 and is neither favoured nor shunned. */
    public double successRate() {
        return (successes + 1.0) / (successes + failures + 2.0);
    }
}
