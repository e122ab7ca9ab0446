package io.x0tta6bl4.jobs.heal;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.DecisionVerdict;
import java.util.List;
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

    @Test
    void atMostNNodesAtOnceRollbacksAlwaysPassAndExpiredNodesFreeTheirPlace() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new LimitBlastRadius(2), c -> c.scope, Types.STRING)) {
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
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
            h.processElement(command("e", "n3", 130_000), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getCommandId).endsWith("e");
        }
    }

    @Test
    void eachRoleHasItsOwnLimit() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new LimitBlastRadius(1), c -> c.scope, Types.STRING)) {
            h.setProcessingTime(0);
            h.processElement(command("a", "db1", 60_000, "role=db"), 0);
            h.processElement(command("b", "db2", 60_000, "role=db"), 0);
            h.processElement(command("c", "web1", 60_000, "role=web"), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getCommandId).containsExactly("a", "c");
        }
    }
}
