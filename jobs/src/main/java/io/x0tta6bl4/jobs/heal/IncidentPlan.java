package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.Incident;

/** The remediation of one open incident: what was tried, what is awaited, when to verify. A Flink POJO. */
public class IncidentPlan {
    public Incident incident;
    public String rule;
    /** Actions already tried for this incident, comma separated. */
    public String tried = "";
    public String awaitingCommandId;
    public String awaitingAction;
    public boolean executed;
    public double severityAtAction;
    public long verifyAtMs;
    public long openedAtMs;

    public IncidentPlan() {}

    boolean hasTried(String action) {
        return ("," + tried + ",").contains("," + action + ",");
    }

    void markTried(String action) {
        tried = tried.isEmpty() ? action : tried + "," + action;
    }
}
