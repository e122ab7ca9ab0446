package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyEndReason;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ScoreNodeSeriesHarnessTest {
    private static final DetectorSettings SETTINGS = DetectorSettings.defaults();

    /** Forgets a silent series after twenty minutes instead of a day, so that a test can feed that long a second at a time. */
    private static final DetectorSettings FORGETS_SOON = SETTINGS.with(Map.of("forgetAfterMs", "1200000"));

    private static KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> harness() throws Exception {
        return harness(SETTINGS);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> harness(DetectorSettings settings) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new ScoreNodeSeries(settings), DetectJob::nodeKey, Types.STRING);
    }

    private static RawRecord raw(String key, TelemetryBatch batch) {
        return new RawRecord("x0.telemetry.v1", 0, batch.getSequence(), batch.getTimestampMs(),
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), AvroCodec.of(TelemetryBatch.class).encode(batch));
    }

    private static MetricSample gauge(String name, Map<String, String> labels, double value) {
        return MetricSample.newBuilder().setName(name).setLabels(labels).setKind(MetricKind.GAUGE).setValue(value).build();
    }

    /** One batch a second from n1: cpu at {@code cpu}, and a per-disk latency series that stays flat. */
    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> h, int from, int to, double cpu,
            boolean withDisk) throws Exception {
        for (int i = from; i < to; i++) {
            long ts = i * 1000L;
            List<MetricSample> samples = new ArrayList<>();
            samples.add(gauge("cpu_usage_ratio", Map.of(), cpu + (i % 3) * 0.005));
            if (withDisk) {
                samples.add(gauge("disk_io_latency_seconds", Map.of("device", "vda"), 0.002 + (i % 2) * 0.0001));
            }
            samples.add(MetricSample.newBuilder().setName("lat_bucket").setLabels(Map.of("le", "1")).setKind(MetricKind.HISTOGRAM_BUCKET)
                    .setValue(i).build());
            h.processElement(raw("n1", TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(ts).setSequence(i)
                    .setNodeLabels(Map.of("role", "db")).setSamples(samples).build()), ts);
        }
    }

    @Test
    void oneAnomalyPerEpisodeWithStartPeakEndAndItsSeries() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 40, 0.2, true);
            feed(h, 40, 55, 0.95, true);
            feed(h, 55, 80, 0.2, true);
            List<Anomaly> out = h.extractOutputValues();
            assertThat(out).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            Anomaly start = out.get(0);
            assertThat(start.getMetric()).isEqualTo("cpu_usage_ratio");
            assertThat(start.getNodeLabels()).containsEntry("role", "db");
            assertThat(start.getStartMs()).isEqualTo(40_000);
            assertThat(start.getObserved()).isGreaterThan(0.9);
            assertThat(start.getExpected()).isBetween(0.19, 0.22);
            assertThat(start.getScore()).isBetween(0.45, 1.0);
            long clearMs = SETTINGS.clearSamples() * 1000L;
            assertThat(out.get(1).getEndMs()).isBetween(54_000L + clearMs, 58_000L + clearMs);
            assertThat(out.get(1).getAnomalyId()).isEqualTo(start.getAnomalyId());
            assertThat(out.get(1).getEvidence()).as("a recovery, ended by its samples").extracting(e -> e.getSource().toString())
                    .doesNotContain("silence", "series-limit");
            assertThat(out.get(1).getEndReason()).isEqualTo(AnomalyEndReason.RECOVERED);
            assertThat(start.getEndReason()).isNull();
        }
    }

    @Test
    void evidenceNamesEveryMemberOnceTheMembersHaveWarmedUp() throws Exception {
        try (var h = harness()) {
            // The novelty and range members start after the baseline.
            int warm = SETTINGS.warmupSamples() + Math.max(WindowNovelty.WINDOW + SETTINGS.noveltyWarmupSamples(), SETTINGS.rangeWarmupSamples()) + 20;
            feed(h, 1, warm, 0.2, false);
            feed(h, warm, warm + 5, 0.95, false);
            List<Anomaly> out = h.extractOutputValues();
            assertThat(out).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED);
            assertThat(out.get(0).getEvidence()).extracting(e -> e.getSource().toString())
                    .containsExactly("seasonal-baseline/level", "surprise-calibration", "window-novelty", "historical-range");
            assertThat(out.get(0).getEvidence().get(2).getDetail().toString()).contains("standard deviations");
            assertThat(out.get(0).getEvidence().get(3).getDetail().toString()).contains("beyond every value the series has shown");
        }
    }

    @Test
    void seriesWithLabelsIsItsOwnSeriesAndBucketsAreNotScored() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 30, 0.2, true);
            assertThat(h.numKeyedStateEntries()).as("the series of one node, with its timer").isEqualTo(1);
            h.processWatermark(new Watermark(29_000));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void seriesThatStopsIsForgottenWhileTheNodeLivesOn() throws Exception {
        try (var h = harness(FORGETS_SOON)) {
            int forgetS = (int) (FORGETS_SOON.forgetAfterMs() / 1000);
            feed(h, 1, 60, 0.2, true);
            feed(h, 60, 60 + forgetS + 5, 0.2, false); // the disk disappears, the node lives on
            h.processWatermark(new Watermark((60L + forgetS + 4) * 1000));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).as("moved forward, not multiplied").isEqualTo(1);
            // The disk comes back with ten times its old latency: forgotten, it is a new series, warming up, not an anomaly.
            for (int i = 0; i < 5; i++) {
                long ts = (60L + forgetS + 5 + i) * 1000;
                h.processElement(raw("n1", TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(ts).setSequence(ts)
                        .setNodeLabels(Map.of("role", "db")).setSamples(List.of(gauge("cpu_usage_ratio", Map.of(), 0.2),
                                gauge("disk_io_latency_seconds", Map.of("device", "vda"), 0.02 + i * 0.0001))).build()), ts);
            }
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aSilentSeriesHasItsEpisodeClosedAfterTheIdleTimeoutAndKeepsWhatItLearntUntilItIsForgotten() throws Exception {
        try (var h = harness(FORGETS_SOON)) {
            feed(h, 1, 30, 0.2, false);
            feed(h, 30, 35, 0.9, false);
            h.processWatermark(new Watermark(34_000 + SETTINGS.idleTimeoutMs() + 1));
            assertThat(seriesAnomalies(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(seriesAnomalies(h).get(1).getEndMs()).as("ended at its last sample").isEqualTo(34_000L);
            assertThat(seriesAnomalies(h).get(1).getEvidence()).as("and says it was silence, not a recovery")
                    .anySatisfy(e -> assertThat(e.getSource()).isEqualTo("silence"));
            assertThat(seriesAnomalies(h).get(1).getEndReason()).isEqualTo(AnomalyEndReason.WENT_SILENT);
            assertThat(silences(h)).as("the node's silence was reported first").extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED);
            assertThat(h.numKeyedStateEntries()).as("not forgotten yet").isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            // Back after the outage: it still knows its level, so a fault is found at once, not after a warm-up; and the
            // closed episode does not hold the new one back.
            int back = 34 + (int) (SETTINGS.idleTimeoutMs() / 1000) + 10;
            feed(h, back, back + 3, 0.2, false);
            feed(h, back + 3, back + 6, 0.9, false);
            List<Anomaly> out = seriesAnomalies(h);
            assertThat(out).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED, AnomalyPhase.STARTED);
            assertThat(out.get(2).getStartMs()).isBetween((back + 3) * 1000L, (back + 4) * 1000L);
            assertThat(silences(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);

            // Silent again, for good: the episode is closed, then the node is forgotten and leaves nothing behind.
            h.processWatermark(new Watermark((back + 5) * 1000L + FORGETS_SOON.forgetAfterMs()));
            assertThat(seriesAnomalies(h)).extracting(Anomaly::getPhase).endsWith(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    private static List<Anomaly> seriesAnomalies(KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> h) {
        return h.extractOutputValues().stream().filter(a -> !a.getMetric().equals(ScoreNodeSeries.NODE_SILENT_METRIC)).toList();
    }

    private static List<Anomaly> silences(KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> h) {
        return h.extractOutputValues().stream().filter(a -> a.getMetric().equals(ScoreNodeSeries.NODE_SILENT_METRIC)).toList();
    }

    @Test
    void aNodeThatStopsSendingIsReportedSilentOnceAndRecoveredWhenItSendsAgain() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 30, 0.2, true); // one batch a second, the last at 29 s
            h.processWatermark(new Watermark(29_000 + SETTINGS.nodeSilentAfterMs() - 1));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(new Watermark(29_000 + SETTINGS.nodeSilentAfterMs()));
            assertThat(silences(h)).hasSize(1);
            Anomaly started = silences(h).get(0);
            assertThat(started.getPhase()).isEqualTo(AnomalyPhase.STARTED);
            assertThat(started.getStartMs()).as("silent since its last batch").isEqualTo(29_000L);
            assertThat(started.getObserved()).as("seconds without telemetry").isEqualTo(60.0);
            assertThat(started.getExpected()).as("its usual interval, seconds").isEqualTo(1.0);
            assertThat(started.getScore()).isEqualTo(1.0);
            assertThat(started.getNodeLabels()).containsEntry("role", "db");
            assertThat(started.getEvidence()).extracting(e -> e.getSource().toString()).containsExactly("node-silence");

            h.processWatermark(new Watermark(29_000 + 5 * SETTINGS.nodeSilentAfterMs()));
            assertThat(silences(h)).as("once per silence").hasSize(1);

            feed(h, 400, 403, 0.2, true);
            assertThat(silences(h)).hasSize(2);
            Anomaly ended = silences(h).get(1);
            assertThat(ended.getPhase()).isEqualTo(AnomalyPhase.ENDED);
            assertThat(ended.getAnomalyId()).isEqualTo(started.getAnomalyId());
            assertThat(ended.getEndMs()).isEqualTo(400_000L);
            assertThat(ended.getEndReason()).isEqualTo(AnomalyEndReason.RECOVERED);
            assertThat(h.extractOutputValues()).as("its series knew their levels across the gap: no alarm").hasSize(2);

            h.processWatermark(new Watermark(402_000 + SETTINGS.nodeSilentAfterMs()));
            assertThat(silences(h)).as("silent again: a new silence").hasSize(3);
            assertThat(silences(h).get(2).getStartMs()).isEqualTo(402_000L);
        }
    }

    @Test
    void aNodeThatSendsEveryMinuteIsSilentOnlyAfterFiveOfItsIntervals() throws Exception {
        try (var h = harness()) {
            for (int i = 1; i <= 10; i++) {
                long ts = i * 60_000L;
                h.processElement(raw("n1", TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(ts).setSequence(i)
                        .setNodeLabels(Map.of()).setSamples(List.of(gauge("cpu_usage_ratio", Map.of(), 0.2 + (i % 3) * 0.005))).build()), ts);
                h.processWatermark(new Watermark(ts));
            }
            h.processWatermark(new Watermark(600_000 + 5 * 60_000 - 1));
            assertThat(h.extractOutputValues()).as("four missed batches").isEmpty();
            h.processWatermark(new Watermark(600_000 + 5 * 60_000));
            assertThat(silences(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED);
            assertThat(silences(h).get(0).getExpected()).isEqualTo(60.0);
        }
    }

    @Test
    void aNodeSilentUntilItIsForgottenEndsItsSilenceAsNotRecoveredAndLeavesNothing() throws Exception {
        try (var h = harness(FORGETS_SOON)) {
            feed(h, 1, 30, 0.2, false);
            h.processWatermark(new Watermark(29_000 + FORGETS_SOON.forgetAfterMs()));
            assertThat(silences(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(silences(h).get(1).getEndReason()).isEqualTo(AnomalyEndReason.WENT_SILENT);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /**
     * A node cut off for a while (a partition) sends the backlog it kept once it is back, older than the watermark the
     * rest of the fleet moved on. It was silent, and then is not: its silence ends once, and neither it nor an episode
     * that opens in the backlog is called silent again while the backlog comes (judged by the batches' times alone, the
     * silence opened again at every watermark, and the episode closed at once).
     */
    @Test
    void aNodeSendingTheBacklogOfAPartitionIsNotSilentWhileItDoes() throws Exception {
        try (var h = harness()) {
            for (int i = 1; i <= 30; i++) {
                feed(h, i, i + 1, 0.2, false);
                h.processWatermark(new Watermark(i * 1000L - 2000));
            }
            // The rest of the fleet moved on, longer than the idle timeout beyond what n1 will send: n1 was cut off.
            h.processWatermark(new Watermark(1_000_000));
            assertThat(silences(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED);

            // Back: its backlog from 31 s on, the fleet's watermark moving on meanwhile; cpu steps up at 270 s.
            for (int i = 31; i <= 300; i++) {
                feed(h, i, i + 1, i >= 270 ? 0.9 : 0.2, false);
                if (i % 10 == 0) {
                    h.processWatermark(new Watermark(1_000_000 + i));
                }
            }
            assertThat(silences(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(silences(h).get(1).getEndMs()).isEqualTo(31_000L);
            assertThat(seriesAnomalies(h)).as("the step in the backlog is found, and its episode stays open")
                    .extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED);

            // Then n1 goes quiet for good: silent a minute after the watermark when its last batch came (1,000,290), and
            // its episode closed by silence ten minutes after that.
            long heardAt = 1_000_290;
            h.processWatermark(new Watermark(heardAt + SETTINGS.nodeSilentAfterMs() - 1));
            assertThat(silences(h)).hasSize(2);
            h.processWatermark(new Watermark(heardAt + SETTINGS.nodeSilentAfterMs()));
            assertThat(silences(h)).hasSize(3);
            h.processWatermark(new Watermark(heardAt + SETTINGS.idleTimeoutMs() - 1));
            assertThat(seriesAnomalies(h)).hasSize(1);
            h.processWatermark(new Watermark(heardAt + SETTINGS.idleTimeoutMs()));
            assertThat(seriesAnomalies(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(seriesAnomalies(h).get(1).getEndReason()).isEqualTo(AnomalyEndReason.WENT_SILENT);
        }
    }

    /**
     * A job catching up on history (after a restart, or a replay) reads it at many times real time, its partitions at
     * uneven speeds: a node of a partition read later looks silent to the watermark. Not judged until caught up.
     */
    @Test
    void aNodeIsNotCalledSilentWhileTheJobCatchesUpOnHistory() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(10_000_000); // the wall clock: the telemetry below is hours old
            feed(h, 1, 30, 0.2, false);
            feed(h, 30, 35, 0.9, false); // an episode opens
            h.processWatermark(new Watermark(34_000 + 2 * SETTINGS.idleTimeoutMs()));
            assertThat(silences(h)).isEmpty();
            assertThat(seriesAnomalies(h)).as("nor is the episode closed by silence").extracting(Anomaly::getPhase)
                    .containsExactly(AnomalyPhase.STARTED);
            h.processWatermark(new Watermark(10_000_000)); // caught up
            assertThat(silences(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED);
            assertThat(silences(h).get(0).getStartMs()).as("silent since its last batch all the same").isEqualTo(34_000L);
            assertThat(seriesAnomalies(h)).extracting(Anomaly::getPhase).containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(seriesAnomalies(h).get(1).getEndMs()).isEqualTo(34_000L);
        }
    }

    @Test
    void theEndOfABoundedInputIsNotSilence() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 30, 0.2, false);
            h.processWatermark(Watermark.MAX_WATERMARK);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void silenceIsNotJudgedWhenSwitchedOff() throws Exception {
        try (var h = harness(SETTINGS.with(Map.of("nodeSilentAfterMs", "0")))) {
            feed(h, 1, 30, 0.2, false);
            h.processWatermark(new Watermark(29_000 + SETTINGS.idleTimeoutMs() - 1));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    /** The series n1's state holds now, by key. */
    private static List<String> seriesOfN1(KeyedOneInputStreamOperatorTestHarness<String, RawRecord, Anomaly> h) throws Exception {
        var backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        backend.setCurrentKey("n1");
        NodeSeries node = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("node-series", NodeSeries.class)).value();
        return node == null ? List.of() : Arrays.stream(node.series).map(SeriesState::key).toList();
    }

    @Test
    void aNodeWithALabelOfEverNewValuesStaysWithinItsSeriesLimitAndKeepsItsSteadySeries() throws Exception {
        try (var h = harness(SETTINGS.with(Map.of("maxSeriesPerNode", "4")))) {
            for (int i = 1; i <= 60; i++) {
                long ts = i * 1000L;
                List<MetricSample> samples = new ArrayList<>(List.of(gauge("cpu_usage_ratio", Map.of(), (i > 55 ? 0.9 : 0.2) + (i % 3) * 0.005),
                        gauge("load1", Map.of(), 1.0 + (i % 2) * 0.01)));
                if (i <= 30) { // a latency series that alarms, then falls silent while in its episode
                    samples.add(gauge("disk_io_latency_seconds", Map.of(), i > 25 ? 0.5 : 0.002 + (i % 2) * 0.0001));
                }
                samples.add(gauge("http_requests", Map.of("request_id", "r" + i), 1)); // a new series every batch
                h.processElement(raw("n1", TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(ts).setSequence(i)
                        .setNodeLabels(Map.of()).setSamples(samples).build()), ts);
                assertThat(seriesOfN1(h)).as("batch %d", i).hasSizeLessThanOrEqualTo(4).contains("cpu_usage_ratio", "load1");
            }
            assertThat(seriesOfN1(h)).doesNotContain("disk_io_latency_seconds").contains("http_requests|request_id=r60");
            List<Anomaly> out = h.extractOutputValues();
            assertThat(out).filteredOn(a -> a.getMetric().equals("disk_io_latency_seconds")).extracting(Anomaly::getPhase)
                    .as("its episode is ended when it is forgotten").containsExactly(AnomalyPhase.STARTED, AnomalyPhase.ENDED);
            assertThat(out).filteredOn(a -> a.getMetric().equals("disk_io_latency_seconds") && a.getPhase() == AnomalyPhase.ENDED)
                    .extracting(Anomaly::getEndMs).as("at its last sample").containsExactly(30_000L);
            assertThat(out).filteredOn(a -> a.getMetric().equals("disk_io_latency_seconds") && a.getPhase() == AnomalyPhase.ENDED)
                    .flatExtracting(Anomaly::getEvidence).extracting(e -> e.getSource().toString()).contains("series-limit");
            assertThat(out).filteredOn(a -> a.getMetric().equals("disk_io_latency_seconds") && a.getPhase() == AnomalyPhase.ENDED)
                    .extracting(Anomaly::getEndReason).containsExactly(AnomalyEndReason.OVER_SERIES_LIMIT);
            assertThat(out).filteredOn(a -> a.getMetric().equals("cpu_usage_ratio")).extracting(Anomaly::getPhase)
                    .as("the steady series kept what it learnt: its step is found").containsExactly(AnomalyPhase.STARTED);
            assertThat(out).noneMatch(a -> a.getMetric().equals("http_requests"));
        }
    }

    @Test
    void theInventoryHearsOfANodeWhenItAppearsWhenItsLabelsChangeAndEveryFewSeconds() throws Exception {
        try (var h = harness()) {
            feed(h, 1, 25, 0.2, false);
            h.processElement(raw("n1", TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(25_000).setSequence(25)
                    .setNodeLabels(Map.of("role", "db", "zone", "b")).setSamples(List.of(gauge("cpu_usage_ratio", Map.of(), 0.2))).build()), 25_000);
            // Back to the first labels: the decoder hands out its earlier map for them, which must still count as a change.
            h.processElement(raw("n1", TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(26_000).setSequence(26)
                    .setNodeLabels(Map.of("role", "db")).setSamples(List.of(gauge("cpu_usage_ratio", Map.of(), 0.2))).build()), 26_000);
            assertThat(h.getSideOutput(ScoreNodeSeries.SEEN)).extracting(r -> r.getValue().labels + "@" + r.getValue().timestampMs)
                    .containsExactly("role=db@1000", "role=db@11000", "role=db@21000", "role=db,zone=b@25000", "role=db@26000");
        }
    }

    @Test
    void undecodableAndMisKeyedRecordsAreDeadLetteredWithTheReasonAndLeaveNoState() throws Exception {
        try (var h = harness()) {
            h.processElement(new RawRecord("x0.telemetry.v1", 0, 1, 1000, "n1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}), 1000);
            TelemetryBatch other = TelemetryBatch.newBuilder().setNodeId("n2").setTimestampMs(2000).setSequence(2).setSamples(List.of()).build();
            h.processElement(raw("n1", other), 2000);
            h.processElement(raw(null, other), 2000);
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .satisfiesExactly(
                            reason -> assertThat(reason).isNotBlank(),
                            reason -> assertThat(reason).contains("record key 'n1' is not the batch's node id 'n2'"),
                            reason -> assertThat(reason).contains("record key '' is not the batch's node id 'n2'"));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
