package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.NodeInfo;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TrackNodeInventoryHarnessTest {
    static NodeSeen batch(String node, long ts, Map<String, String> labels) {
        return new NodeSeen(node, io.x0tta6bl4.jobs.common.Labels.canonical(labels), ts);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, NodeSeen, NodeInfo> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new TrackNodeInventory(60_000, 600_000), seen -> seen.nodeId,
                Types.STRING);
    }

    @Test
    void publishedWhenFirstSeenWhenLabelsChangeAndAsAHeartbeat() throws Exception {
        try (var h = harness()) {
            for (long ts = 1_000; ts <= 59_000; ts += 1_000) {
                h.processElement(batch("n1", ts, Map.of("role", "db")), ts);
            }
            h.processElement(batch("n1", 60_000, Map.of("role", "web")), 60_000);
            h.processElement(batch("n1", 61_000, Map.of("role", "web")), 61_000);
            h.processElement(batch("n1", 120_000, Map.of("role", "web")), 120_000);
            List<NodeInfo> out = h.extractOutputValues();
            assertThat(out).extracting(NodeInfo::getLastSeenMs).containsExactly(1_000L, 60_000L, 120_000L);
            assertThat(out.get(1).getLabels()).containsEntry("role", "web");
            assertThat(out).extracting(NodeInfo::getFirstSeenMs).containsOnly(1_000L);
        }
    }

    @Test
    void silentNodeIsForgotten() throws Exception {
        try (var h = harness()) {
            h.processElement(batch("n1", 1_000, Map.of()), 1_000);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(new Watermark(1_000 + 600_000));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
