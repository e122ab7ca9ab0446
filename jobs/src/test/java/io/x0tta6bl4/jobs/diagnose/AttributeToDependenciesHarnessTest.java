package io.x0tta6bl4.jobs.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentResolution;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class AttributeToDependenciesHarnessTest {

    static KeyedBroadcastOperatorTestHarness<String, Incident, ControlRecord, Incident> harness(Map<String, Set<String>> graph)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new AttributeToDependencies(graph, 60_000),
                i -> "fleet", Types.STRING, AttributeToDependencies.DEPENDENCIES);
    }

    static Incident incident(String node, String metric, String kind, IncidentStatus status, long openedAtMs, double severity) {
        return Incident.newBuilder().setIncidentId(node + "-" + openedAtMs).setStatus(status).setRevision(1).setOpenedAtMs(openedAtMs)
                .setUpdatedAtMs(openedAtMs).setSeverity(severity).setNodes(List.of(node)).setMetrics(List.of(metric))
                .setAnomalyIds(List.of(node + "|" + metric)).setLabels(Map.of("role", node.replaceAll("-\\d+", "")))
                .setRootCauses(List.of(RootCause.newBuilder().setNodeId(node).setMetric(metric).setKind(kind).setScore(0.8).build()))
                .build();
    }

    static Incident slowWeb(IncidentStatus status) {
        return incident("web-1", "request_latency_seconds", "unknown", status, 10_000, 0.8);
    }

    static Incident slowDisk(IncidentStatus status) {
        return incident("db-1", "disk_io_latency_seconds", "disk_latency", status, 8_000, 0.9);
    }

    static int keyedStateEntries(KeyedBroadcastOperatorTestHarness<String, Incident, ControlRecord, Incident> h) {
        return io.x0tta6bl4.jobs.common.BroadcastHarnesses.keyedStateEntries(h);
    }

    static RootCause top(Incident i) {
        return i.getRootCauses().get(0);
    }

    @Test
    void withoutDependenciesAnIncidentPassesThrough() throws Exception {
        try (var h = harness(Map.of())) {
            h.processElement(slowWeb(IncidentStatus.OPEN), 1);
            assertThat(h.extractOutputValues()).containsExactly(slowWeb(IncidentStatus.OPEN));
        }
    }

    @Test
    void victimOfAFailingDependencyIsBlamedOnIt() throws Exception {
        try (var h = harness(AttributeToDependencies.parse("web-1->db-1"))) {
            h.processElement(slowDisk(IncidentStatus.OPEN), 1);
            h.processElement(slowWeb(IncidentStatus.OPEN), 2);
            List<Incident> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            Incident web = out.get(1);
            assertThat(web.getIncidentId()).isEqualTo("web-1-10000");
            assertThat(top(web).getNodeId()).isEqualTo("db-1");
            assertThat(top(web).getMetric()).isEqualTo("disk_io_latency_seconds");
            assertThat(top(web).getEvidence()).anySatisfy(e -> assertThat(e.getDetail()).contains("web-1 depends on db-1"));
            assertThat(web.getRootCauses().get(1).getNodeId()).as("its own cause stays, second").isEqualTo("web-1");
            assertThat(web.getNodes()).containsExactly("db-1", "web-1");
            assertThat(web.getLabels()).as("the culprit's labels: playbooks match on them").containsEntry("role", "db");
            assertThat(web.getAttributedTo()).as("HealJob remediates the culprit's incident").isEqualTo("db-1-8000");
        }
    }

    @Test
    void dependencyWhoseIncidentOpensLaterUpdatesItsVictim() throws Exception {
        try (var h = harness(AttributeToDependencies.parse("web-1->db-1"))) {
            h.processElement(slowWeb(IncidentStatus.OPEN), 1);
            h.processElement(slowDisk(IncidentStatus.OPEN), 2);
            List<Incident> out = h.extractOutputValues();
            assertThat(out).extracting(Incident::getIncidentId).containsExactly("web-1-10000", "db-1-8000", "web-1-10000");
            assertThat(top(out.get(0)).getNodeId()).isEqualTo("web-1");
            assertThat(out.get(2).getStatus()).isEqualTo(IncidentStatus.UPDATED);
            assertThat(out.get(2).getRevision()).isEqualTo(2);
            assertThat(top(out.get(2)).getNodeId()).isEqualTo("db-1");
        }
    }

    @Test
    void dependencyHealedBeforeItsVictimsIncidentIsStillBlamed() throws Exception {
        try (var h = harness(AttributeToDependencies.parse("web-1->db-1"))) {
            h.processElement(slowDisk(IncidentStatus.OPEN), 1);
            h.processElement(slowDisk(IncidentStatus.RESOLVED), 2);
            h.processElement(slowWeb(IncidentStatus.OPEN), 3);
            List<Incident> out = h.extractOutputValues();
            assertThat(top(out.get(out.size() - 1)).getNodeId()).isEqualTo("db-1");
        }
    }

    @Test
    void healthyDependencyIsNotBlamed() throws Exception {
        try (var h = harness(AttributeToDependencies.parse("web-1->db-1"))) {
            h.processElement(incident("db-1", "cpu_usage_ratio", "cpu_saturation", IncidentStatus.OPEN, 8_000, 0.05), 1);
            h.processElement(slowWeb(IncidentStatus.OPEN), 2);
            assertThat(top(h.extractOutputValues().get(1)).getNodeId()).isEqualTo("web-1");
        }
    }

    @Test
    void controlRecordReplacesTheConfiguredDependencies() throws Exception {
        try (var h = harness(AttributeToDependencies.parse("web-1->db-1"))) {
            h.processBroadcastElement(ControlSettings.dependency("web-1", List.of(), 1, "test"), 1);
            h.processElement(slowDisk(IncidentStatus.OPEN), 2);
            h.processElement(slowWeb(IncidentStatus.OPEN), 3);
            assertThat(top(h.extractOutputValues().get(1)).getNodeId()).isEqualTo("web-1");

            h.processBroadcastElement(ControlSettings.dependency("web-1", List.of("db-1"), 4, "test"), 4);
            h.processElement(Incident.newBuilder(slowWeb(IncidentStatus.UPDATED)).setSeverity(0.85).build(), 5);
            assertThat(top(h.extractOutputValues().get(2)).getNodeId()).isEqualTo("db-1");
        }
    }

    @Test
    void resolvedIncidentsLeaveNoState() throws Exception {
        try (var h = harness(AttributeToDependencies.parse("web-1->db-1"))) {
            h.processElement(slowDisk(IncidentStatus.OPEN), 1);
            h.processElement(slowWeb(IncidentStatus.OPEN), 2);
            assertThat(keyedStateEntries(h)).as("the open and the published incidents").isEqualTo(2);
            h.processElement(slowDisk(IncidentStatus.RESOLVED), 3);
            Incident webWentSilent = slowWeb(IncidentStatus.RESOLVED);
            webWentSilent.setResolution(IncidentResolution.WENT_SILENT);
            h.processElement(webWentSilent, 4);
            List<Incident> out = h.extractOutputValues();
            Incident webResolved = out.get(out.size() - 1);
            assertThat(webResolved.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(webResolved.getResolution()).as("how it ended is passed on").isEqualTo(IncidentResolution.WENT_SILENT);
            assertThat(webResolved.getRevision()).isEqualTo(2);
            assertThat(top(webResolved).getNodeId()).as("resolved with the causes it was published with").isEqualTo("db-1");
            assertThat(h.numProcessingTimeTimers()).as("resolved incidents are kept as suspects for a while").isEqualTo(1);
            h.setProcessingTime(60_000);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void malformedDependencyIsAClearError() {
        assertThatThrownBy(() -> AttributeToDependencies.parse("web-1=>db-1")).hasMessageContaining("'web-1=>db-1' is not caller->callee");
        assertThat(AttributeToDependencies.parse(" a->b , a->c,b->c ")).isEqualTo(Map.of("a", Set.of("b", "c"), "b", Set.of("c")));
    }
}
