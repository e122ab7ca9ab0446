package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.Evidence;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Analyze, step 1: keyed by node, scores every series in the node's telemetry batches (one {@link SeriesState}
 * per series, in map state) and emits an {@link Anomaly} once when a series' episode starts and once when it
 * ends, never per sample.
 *
 * <p>Why by node and not by series: a batch arrives whole, so scoring it where it lands costs one shuffle of
 * the batch's bytes (keyed by the record key, the node id, and decoded here) instead of one per sample, and everything known about a node (its series, later its multivariate
 * model) lives under one key. State stays bounded: a series not seen for the idle timeout (event time) is
 * dropped, its open episode closed first, and a node whose series are all gone leaves no state. One event-time
 * timer per node, moved forward lazily.
 */
public class ScoreNodeSeries extends KeyedProcessFunction<String, RawRecord, Anomaly> {
    private static final long serialVersionUID = 1L;
    /** Every decoded batch, in brief, for the inventory (same key: chained, not shuffled). */
    public static final OutputTag<NodeSeen> SEEN = new OutputTag<>("node-seen", TypeInformation.of(NodeSeen.class));

    private final DetectorSettings settings;
    private transient SeriesDetector detector;
    private transient AvroCodec<TelemetryBatch> codec;
    /** Decoded into again and again: nothing of a batch outlives its processElement call. */
    private transient TelemetryBatch reuse;
    private transient MapState<String, SeriesState> series;
    private transient ValueState<Long> cleanupTimer;

    public ScoreNodeSeries(DetectorSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        detector = new SeriesDetector(settings);
        codec = AvroCodec.of(TelemetryBatch.class);
        series = getRuntimeContext().getMapState(new MapStateDescriptor<>("series", String.class, SeriesState.class));
        cleanupTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanup-timer", Long.class));
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<Anomaly> out) throws Exception {
        TelemetryBatch batch;
        try {
            batch = codec.decode(raw.value, reuse);
            reuse = batch;
        } catch (UndecodableRecordException e) {
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, DetectJob.NAME, e.getMessage(), ctx.timerService().currentProcessingTime()));
            return;
        }
        if (!batch.getNodeId().equals(ctx.getCurrentKey())) {
            // The state of one node must never see another's samples: the exporter keys telemetry by node id.
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, DetectJob.NAME, "record key '" + ctx.getCurrentKey()
                    + "' is not the batch's node id '" + batch.getNodeId() + "' (telemetry is keyed by node id)",
                    ctx.timerService().currentProcessingTime()));
            return;
        }
        String nodeLabels = Labels.canonical(batch.getNodeLabels());
        long ts = batch.getTimestampMs();
        ctx.output(SEEN, new NodeSeen(batch.getNodeId(), nodeLabels, ts));
        for (MetricSample sample : batch.getSamples()) {
            if (sample.getKind() == MetricKind.HISTOGRAM_BUCKET) {
                continue; // distributions are for IndexJob; their _sum and _count series are scored like any counter
            }
            Map<String, String> labels = sample.getLabels();
            String labelText = labels == null || labels.isEmpty() ? "" : Labels.canonical(labels);
            String key = labelText.isEmpty() ? sample.getName() : sample.getName() + "|" + labelText;
            SeriesState s = series.get(key);
            if (s == null) {
                s = new SeriesState();
                s.metric = sample.getName();
                s.labels = labelText;
            }
            SeriesDetector.Transition t = detector.update(s, ts, sample.getValue(), sample.getKind() == MetricKind.COUNTER);
            if (t != SeriesDetector.Transition.NONE) {
                s.nodeLabels = nodeLabels;
                out.collect(anomaly(batch.getNodeId(), s, t == SeriesDetector.Transition.STARTED ? AnomalyPhase.STARTED : AnomalyPhase.ENDED,
                        t == SeriesDetector.Transition.ENDED ? ts : null));
            }
            series.put(key, s);
        }
        if (cleanupTimer.value() == null) {
            long at = ts + settings.idleTimeoutMs();
            cleanupTimer.update(at);
            ctx.timerService().registerEventTimeTimer(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Anomaly> out) throws Exception {
        List<String> idle = new ArrayList<>();
        long nextDue = Long.MAX_VALUE;
        for (Map.Entry<String, SeriesState> e : series.entries()) {
            long due = e.getValue().lastTimestampMs + settings.idleTimeoutMs();
            if (due <= timestamp) {
                idle.add(e.getKey());
            } else {
                nextDue = Math.min(nextDue, due);
            }
        }
        for (String key : idle) {
            SeriesState s = series.get(key);
            if (s.inEpisode) {
                out.collect(anomaly(ctx.getCurrentKey(), s, AnomalyPhase.ENDED, s.lastTimestampMs)); // no episode left dangling
            }
            series.remove(key);
        }
        if (nextDue == Long.MAX_VALUE) {
            series.clear();
            cleanupTimer.clear();
        } else {
            cleanupTimer.update(nextDue);
            ctx.timerService().registerEventTimeTimer(nextDue);
        }
    }

    private Anomaly anomaly(String nodeId, SeriesState s, AnomalyPhase phase, Long endMs) {
        String baseline = SeriesDetector.episodeBaselineName(s);
        return Anomaly.newBuilder()
                .setAnomalyId(nodeId + "|" + s.metric + (s.labels.isEmpty() ? "" : "|" + s.labels) + "|" + s.episodeStartMs)
                .setNodeId(nodeId)
                .setMetric(s.metric)
                .setLabels(Labels.parse(s.labels))
                .setNodeLabels(Labels.parse(s.nodeLabels))
                .setPhase(phase)
                .setStartMs(s.episodeStartMs)
                .setPeakMs(s.peakMs)
                .setEndMs(endMs)
                .setScore(s.peakScore)
                .setObserved(s.peakObserved)
                .setExpected(s.expected)
                .setEvidence(List.of(
                        new Evidence("seasonal-baseline/" + baseline, s.peakScore,
                                String.format("peak z=%.1f against the %s baseline: observed %.4g vs expected %.4g", s.peakZ, baseline,
                                        s.peakObserved, s.expected)),
                        new Evidence("surprise-calibration", s.peakScore,
                                String.format("deviations this large seen %.0f times before in this series (decayed count)", Math.max(s.seenBefore, 0)))))
                .build();
    }
}
