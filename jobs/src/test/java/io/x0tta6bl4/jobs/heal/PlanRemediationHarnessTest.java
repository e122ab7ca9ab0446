package io.x0tta6bl4.jobs.heal;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class PlanRemediationHarnessTest {
    static final long COOLDOWN = 30_000;
    static final long TTL = 60_000;

    static Incident incident(String id, int revision, IncidentStatus status, String kind, String metric, double score) {
        return Incident.newBuilder().setIncidentId(id).setStatus(status).setRevision(revision).setOpenedAtMs(1).setUpdatedAtMs(1)
                .setSeverity(score).setNodes(List.of("n1")).setMetrics(List.of(metric))
                .setRootCauses(List.of(RootCause.newBuilder().setNodeId("n1").setMetric(metric).setKind(kind).setScore(score).build()))
                .build();
    }

    static CommandResult result(CommandBody command, CommandOutcome outcome) {
        return CommandResult.newBuilder().setCommandId(command.getCommandId()).setNodeId("n1").setIncidentId(command.getIncidentId())
                .setAction(command.getAction()).setOutcome(outcome).setReceivedAtMs(0).setFinishedAtMs(0).build();
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Incident, CommandResult, CommandBody> harness() throws Exception {
        var h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new PlanRemediation(Playbook.builtIn(), COOLDOWN, TTL),
                HealJob::targetNode, CommandResult::getNodeId, Types.STRING);
        h.setProcessingTime(1_000);
        return h;
    }

    @Test
    void incidentBecomesTheFirstActionOfItsRuleWithDeterministicIdAndValidity() throws Exception {
        try (var h = harness()) {
            h.processElement1(incident("i1", 1, IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.9), 0);
            List<CommandBody> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            CommandBody c = out.get(0);
            assertThat(c.getAction()).isEqualTo("cpu.throttle");
            assertThat(c.getTargetNodeId()).isEqualTo("n1");
            assertThat(c.getExpiresAtMs() - c.getIssuedAtMs()).isEqualTo(TTL);
            assertThat(c.getParameters()).extracting(CommandParameter::getName).isSorted().contains("fault_kind", "quota_percent");
            assertThat(c.getCommandId()).isEqualTo(java.util.UUID.nameUUIDFromBytes("i1|1|cpu.throttle".getBytes()).toString());
        }
    }

    @Test
    void cooldownSkipsARecentActionAndExpiresWithItsState() throws Exception {
        try (var h = harness()) {
            h.processElement1(incident("i1", 1, IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.9), 0);
            h.processElement1(incident("i1", 2, IncidentStatus.UPDATED, "cpu_saturation", "cpu_usage_ratio", 0.9), 0);
            h.processElement1(incident("i1", 3, IncidentStatus.UPDATED, "cpu_saturation", "cpu_usage_ratio", 0.9), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getAction).containsExactly("cpu.throttle", "process.renice");
            h.setProcessingTime(1_000 + 2 * TTL);
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero(); // cooldowns and unanswered commands are gone
            h.processElement1(incident("i2", 1, IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.9), 0);
            assertThat(h.extractOutputValues()).extracting(CommandBody::getAction).endsWith("cpu.throttle");
        }
    }

    @Test
    void resultsTeachWhichActionWorks() throws Exception {
        try (var h = harness()) {
            h.processElement1(incident("i0", 1, IncidentStatus.OPEN, "memory_pressure", "memory_used_ratio", 0.9), 0);
            CommandBody first = h.extractOutputValues().get(0);
            assertThat(first.getAction()).isEqualTo("service.restart"); // the playbook's order while nothing is known
            h.processElement2(result(first, CommandOutcome.FAILED), 0);
            h.setProcessingTime(1_000 + COOLDOWN); // no cooldown in the way: only what was learnt decides
            h.processElement1(incident("i9", 1, IncidentStatus.OPEN, "memory_pressure", "memory_used_ratio", 0.9), 0);
            List<CommandBody> out = h.extractOutputValues();
            assertThat(out.get(out.size() - 1).getAction()).isEqualTo("memory.limit");
        }
    }

    @Test
    void resolvedUnmatchedAndLowConfidenceIncidentsIssueNothing() throws Exception {
        try (var h = harness()) {
            h.processElement1(incident("i1", 2, IncidentStatus.RESOLVED, "cpu_saturation", "cpu_usage_ratio", 0.9), 0);
            h.processElement1(incident("i2", 1, IncidentStatus.OPEN, "unknown", "weird_metric", 0.9), 0);
            h.processElement1(incident("i3", 1, IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.2), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
