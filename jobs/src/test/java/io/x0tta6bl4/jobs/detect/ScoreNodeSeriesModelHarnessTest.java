package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.detect.node.NodeModelSettings;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * DetectJob's scorer with the node model on (DJL's PyTorch engine, offline): CPU and load swing widely but
 * together; when they part ways, each value still inside its usual range, only the node model can tell.
 */
class ScoreNodeSeriesModelHarnessTest {
    static final NodeModelSettings MODEL = new NodeModelSettings(true, 4, 16, 0.01f, 20);
    final Random random = new Random(7);
    final AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class);

    KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new ScoreNodeSeries(DetectorSettings.defaults(), MODEL),
                DetectJob::nodeKey, Types.STRING);
    }

    void send(KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> h, int i, double cpu, double load) throws Exception {
        long ts = i * 1000L;
        List<MetricSample> samples = List.of(
                MetricSample.newBuilder().setName("cpu_usage_ratio").setLabels(Map.of()).setKind(MetricKind.GAUGE).setValue(cpu).build(),
                MetricSample.newBuilder().setName("load1").setLabels(Map.of()).setKind(MetricKind.GAUGE).setValue(load).build());
        TelemetryBatch batch = TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(ts).setSequence(i).setSamples(samples).build();
        h.processElement(new RawRecord("x0.telemetry.v1", 0, i, ts, "n1".getBytes(StandardCharsets.UTF_8), codec.encode(batch)), ts);
    }

    @Test
    void brokenCorrelationIsANodeModelAnomalyAndNotAUnivariateOne() throws Exception {
        try (var h = harness()) {
            int i = 1;
            for (; i <= 1500; i++) {
                double cpu = 0.1 + 0.8 * random.nextDouble();
                send(h, i, cpu, 4 * cpu + random.nextGaussian() * 0.05);
            }
            long before = h.extractOutputValues().stream().filter(a -> a.getMetric().equals(ScoreNodeSeries.NODE_MODEL_METRIC)).count();
            int breakAt = i;
            for (; i < breakAt + 5; i++) {
                send(h, i, 0.8, 0.8); // CPU high as often seen, load low as often seen: never both at once
            }
            List<Anomaly> out = h.extractOutputValues();
            assertThat(out).as("no univariate anomaly: each value is usual").noneMatch(a -> !a.getMetric().equals(ScoreNodeSeries.NODE_MODEL_METRIC));
            Anomaly found = out.stream().filter(a -> a.getMetric().equals(ScoreNodeSeries.NODE_MODEL_METRIC) && a.getPhase() == AnomalyPhase.STARTED
                    && a.getStartMs() >= breakAt * 1000L).findFirst().orElseThrow(() -> new AssertionError("no node model anomaly in " + out));
            assertThat(found.getEvidence()).anySatisfy(e -> assertThat(e.getDetail()).contains("largest reconstruction errors"));
            assertThat(before).as("node model anomalies before the break").isLessThanOrEqualTo(2);
            assertThat(h.numKeyedStateEntries()).isPositive();
            h.processWatermark(new Watermark(i * 1000L + DetectorSettings.defaults().forgetAfterMs() + 1000));
            assertThat(h.numKeyedStateEntries()).as("the node model is forgotten with the node").isZero();
        }
    }
}
