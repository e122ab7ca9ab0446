package io.x0tta6bl4.exporter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedNodeTest {
    @Test
    void aFaultClearsOnlyByItsCure() {
        SimulatedNode node = new SimulatedNode("node-001", Map.of(), 1);
        node.inject(Fault.CPU_HOG, 0);
        assertThat(node.remediate("service.restart")).isNull();
        assertThat(node.remediate("cpu.throttle")).isEqualTo(Fault.CPU_HOG);
        assertThat(node.activeFault()).isNull();
    }

    @Test
    void aNodeThatWentDownSendsNothingNoCommandCuresItAndItComesBackByItself() {
        SimulatedNode node = new SimulatedNode("node-001", Map.of(), 1);
        List<Fault> back = new ArrayList<>();
        assertThat(node.downAt(0, back::add)).isFalse();
        node.inject(Fault.NODE_DOWN, 1_000);
        assertThat(Fault.NODE_DOWN.curable()).isFalse();
        assertThat(node.remediate("service.restart")).isNull();
        assertThat(node.downAt(1_000 + SimulatedNode.DOWN_FOR_MS - 1, back::add)).isTrue();
        assertThat(back).isEmpty();
        assertThat(node.downAt(1_000 + SimulatedNode.DOWN_FOR_MS, back::add)).isFalse();
        assertThat(back).containsExactly(Fault.NODE_DOWN);
        assertThat(node.activeFault()).isNull();
    }
}
