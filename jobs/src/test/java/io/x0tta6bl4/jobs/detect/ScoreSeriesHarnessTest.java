package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ScoreSeriesHarnessTest {
    private static final DetectorSettings SETTINGS = DetectorSettings.defaults();

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, Anomaly> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new ScoreSeries(SETTINGS), p -> p.seriesKey, Types.STRING);
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, Anomaly> h, int from, int to, double level)
            throws Exception {
        for (int i = from; i < to; i++) {
            long ts = i * 1000L;
            h.processElement(new MetricPoint("n1", "cpu_usage_ratio", "", ts, level + (i % 3) * 0.005, false), ts);
        }
    }

    @Test
    void oneAnomalyPerEpisodeWithStartPeakAndEnd() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 40, 0.2);
            feed(h, 40, 55, 0.95);
            feed(h, 55, 65, 0.2);
            List<Anomaly> out = h.extractOutputValues();
            assertThat(out).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            Anomaly start = out.get(0);
            assertThat(start.getStartMs()).isEqualTo(40_000);
            assertThat(start.getObserved()).isGreaterThan(0.9);
            assertThat(start.getExpected()).isBetween(0.19, 0.22);
            assertThat(start.getScore()).isBetween(0.5, 1.0);
            // closed after clearSamples quiet samples
            long clearMs = SETTINGS.clearSamples() * 1000L;
            assertThat(out.get(1).getEndMs()).isBetween(54_000L + clearMs, 58_000L + clearMs);
            assertThat(out.get(1).getAnomalyId()).isEqualTo(start.getAnomalyId());
        }
    }

    @Test
    void silentSeriesIsForgottenAndItsTimerRemoved() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 30, 0.2);
            assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(new Watermark(29_000 + SETTINGS.idleTimeoutMs() + 1));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void openEpisodeOfASeriesThatStopsIsClosedBeforeItIsForgotten() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 30, 0.2);
            feed(h, 30, 35, 0.9);
            h.processWatermark(new Watermark(34_000 + SETTINGS.idleTimeoutMs() + 1));
            assertThat(h.extractOutputValues()).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void timerIsMovedForwardNotMultiplied() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 30, 0.2);
            h.processWatermark(new Watermark(1000 + SETTINGS.idleTimeoutMs()));
            feed(h, 30, 40, 0.2); // still alive: the timer that fired re-registers once
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
        }
    }
}
