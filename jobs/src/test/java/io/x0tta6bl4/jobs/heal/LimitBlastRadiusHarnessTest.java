package io.x0tta6bl4.jobs.heal;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.DecisionVerdict;
import io.x0tta6bl4.schema.NodeInfo;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class LimitBlastRadiusHarnessTest {
    static PlannedCommand command(String id, String node, long expiresAt) {
        return command(id, node, expiresAt, LimitBlastRadius.FLEET);
    }

    static PlannedCommand command(String id, String node, long expiresAt, String scope) {
        return new PlannedCommand(CommandBody.newBuilder().setCommandId(id).setIncidentId("i-" + node).setTargetNodeId(node).setAction("cpu.throttle")
                .setParameters(List.of()).setIssuedAtMs(0).setExpiresAtMs(expiresAt).setNonce("n").setPolicyVersion("1").build(), scope);
    }

    static org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<String, PlannedCommand, NodeInfo, CommandBody> harness(
            int maxNodes, double maxPercent) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new LimitBlastRadius(maxNodes, maxPercent, 900_000),
                c -> c.scope, Types.STRING, LimitBlastRadius.INVENTORY);
    }

    static NodeInfo node(String id, String role, long lastSeenMs) {
        return NodeInfo.newBuilder().setNodeId(id).setLabels(Map.of("role", role)).setFirstSeenMs(0).setLastSeenMs(lastSeenMs).build();
    }

    @Test
    void atMostNNodesAtOnceRollbacksAlwaysPassAndExpiredNodesFreeTheirPlace() throws Exception {
        try (var h = harness(2, 100)) {
            h.setProcessingTime(0);
            h.processElement(command("a", "n1", 60_000), 0);
            h.processElement(command("b", "n2", 60_000), 0);
            h.processElement(command("c", "n3", 60_000), 0);
            h.processElement(command("d", "n1", 70_000), 0); // n1 is already counted
            h.processElement(command("rollback-x", "n4", 60_000), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getCommandId).containsExactly("a", "b", "d", "rollback-x");
            assertThat(h.getSideOutput(Decisions.TAG)).singleElement().satisfies(r -> {
                assertThat(r.getValue().getVerdict()).isEqualTo(DecisionVerdict.SKIPPED);
                assertThat(r.getValue().getReason()).startsWith("blast radius");
            });
            h.setProcessingTime(70_000);
            assertThat(io.x0tta6bl4.jobs.common.BroadcastHarnesses.keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
            h.processElement(command("e", "n3", 130_000), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getCommandId).endsWith("e");
        }
    }

    @Test
    void eachRoleHasItsOwnLimit() throws Exception {
        try (var h = harness(1, 100)) {
            h.setProcessingTime(0);
            h.processElement(command("a", "db1", 60_000, "role=db"), 0);
            h.processElement(command("b", "db2", 60_000, "role=db"), 0);
            h.processElement(command("c", "web1", 60_000, "role=web"), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getCommandId).containsExactly("a", "c");
        }
    }

    @Test
    void percentOfARoleSizedFromTheInventory() throws Exception {
        try (var h = harness(5, 20)) {
            h.setProcessingTime(1_000_000);
            for (int i = 0; i < 10; i++) {
                h.processBroadcastElement(node("db" + i, "db", 1_000_000), 0); // ten db nodes: 20% is two
            }
            h.processBroadcastElement(node("db-gone", "db", 1_000_000 - 900_001), 0); // silent too long: not counted
            h.processBroadcastElement(node("web1", "web", 1_000_000), 0); // a role of one: one may be healed
            h.processElement(command("a", "db1", 2_000_000, "role=db"), 0);
            h.processElement(command("b", "db2", 2_000_000, "role=db"), 0);
            h.processElement(command("c", "db3", 2_000_000, "role=db"), 0);
            h.processElement(command("d", "web1", 2_000_000, "role=web"), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getCommandId).containsExactly("a", "b", "d");
            assertThat(h.getSideOutput(Decisions.TAG)).singleElement().satisfies(r ->
                    assertThat(r.getValue().getReason()).contains("2 of 10 nodes of role=db").contains("limit 2: 20%"));
        }
    }
}
