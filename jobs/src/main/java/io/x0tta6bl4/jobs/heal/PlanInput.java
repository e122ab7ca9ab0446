package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.Incident;

/**
 * What the planner is keyed on: an incident or a command result, one of the two set. Incidents and results
 * share one keyed input so that the control settings can come in as the broadcast side. A Flink POJO.
 */
public class PlanInput {
    public Incident incident;
    public CommandResult result;

    public PlanInput() {}

    public static PlanInput of(Incident incident) {
        PlanInput in = new PlanInput();
        in.incident = incident;
        return in;
    }

    public static PlanInput of(CommandResult result) {
        PlanInput in = new PlanInput();
        in.result = result;
        return in;
    }

    /** The node the plan is about: the incident's top root cause, or the node that reported the result. */
    public String node() {
        return incident != null ? HealJob.targetNode(incident) : result.getNodeId();
    }
}
