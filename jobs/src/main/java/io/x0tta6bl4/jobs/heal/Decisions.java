package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.DecisionVerdict;
import org.apache.flink.util.OutputTag;

/** The side output of HealJob's decisions, and how one is written. */
public final class Decisions {
    public static final OutputTag<Decision> TAG = new OutputTag<>("decisions") {};

    private Decisions() {}

    static Decision of(String incidentId, String nodeId, long atMs, DecisionVerdict verdict, String action, String commandId,
            String rule, String mode, String reason) {
        return Decision.newBuilder()
                .setDecisionId(incidentId + "|" + verdict + "|" + (action == null ? "-" : action) + "|" + atMs)
                .setIncidentId(incidentId)
                .setNodeId(nodeId)
                .setAtMs(atMs)
                .setVerdict(verdict)
                .setAction(action)
                .setCommandId(commandId)
                .setRule(rule)
                .setMode(mode)
                .setReason(reason)
                .build();
    }
}
