package io.x0tta6bl4.exporter.sim;

import io.x0tta6bl4.exporter.agent.ActionExecutor;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An action executed on a simulated node: the same agent, verification and policy as on a real host, but
 * the effect is on the node's simulated state. It clears the node's fault when it is the fault's cure.
 */
public final class SimulatedAction implements ActionExecutor {
    private final String action;
    private final SimulatedNode node;
    private final BiConsumer<SimulatedNode, Fault> onCleared;

    public SimulatedAction(String action, SimulatedNode node, BiConsumer<SimulatedNode, Fault> onCleared) {
        this.action = action;
        this.node = node;
        this.onCleared = onCleared;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Outcome execute(Map<String, String> params, boolean dryRun) {
        if (dryRun) {
            return Outcome.ok("dry run: would apply " + action + " to simulated node " + node.nodeId());
        }
        Fault cleared = node.remediate(action);
        if (cleared != null) {
            onCleared.accept(node, cleared);
            return Outcome.ok(action + " applied; cleared " + cleared);
        }
        Fault active = node.activeFault();
        return Outcome.ok(action + " applied; " + (active == null ? "no fault was active" : active + " is still active"));
    }
}
