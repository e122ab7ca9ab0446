package io.x0tta6bl4.jobs.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlaybookTest {
    public static Playbook parse(String yaml) {
        return Playbook.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");
    }

    @Test
    void builtInPlaybookCoversEveryFaultFamily() {
        Playbook p = Playbook.builtIn();
        for (String kind : new String[] {"cpu_saturation", "memory_pressure", "disk_latency", "network_loss"}) {
            assertThat(p.match(kind, "x", 0.9)).as(kind).isNotNull();
        }
        assertThat(p.match("cpu_saturation", "x", 0.1)).isNull();
    }

    @Test
    void firstMatchingRuleWinsAndMetricPrefixNarrows() {
        Playbook p = parse("""
                version: "t"
                rules:
                  - name: psi
                    match: {kind: cpu_saturation, metricPrefix: psi_}
                    actions: [{action: a.one, reversible: true}]
                  - name: any-cpu
                    match: {kind: cpu_saturation}
                    actions: [{action: a.two, params: {n: 3}, risk: approve}]
                """);
        assertThat(p.match("cpu_saturation", "psi_cpu_some_ratio", 1).name()).isEqualTo("psi");
        assertThat(p.match("cpu_saturation", "cpu_usage_ratio", 1).actions().get(0).params()).containsEntry("n", "3");
    }

    @Test
    void invalidPlaybooksNameTheProblem() {
        assertThatThrownBy(() -> parse("version: 1\nrules: []")).hasMessageContaining("non-empty list 'rules'");
        assertThatThrownBy(() -> parse("version: 1\nrules:\n  - name: r\n    actions: [{action: x}]")).hasMessageContaining("r: 'match.kind'");
        assertThatThrownBy(() -> parse("version: 1\nrules:\n  - name: r\n    match: {kind: k}\n    actions: [{params: {}}]"))
                .hasMessageContaining("needs 'action'");
        assertThatThrownBy(() -> parse("version: 1\nrules:\n  - name: r\n    match: {kind: k}\n    actions: [{action: service.restart}]"))
                .hasMessageContaining("risk 'auto' is for reversible actions only");
        assertThatThrownBy(() -> parse("version: 1\nrules:\n  - name: r\n    match: {kind: k}\n    actions: [{action: x, risk: yolo}]"))
                .hasMessageContaining("risk must be auto, approve or never");
    }
}
