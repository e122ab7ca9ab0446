package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.Evidence;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Analyze, step 1: scores every sample of one series (keyed by node|metric|labels) and emits an
 * {@link Anomaly} once when an episode starts and once when it ends, never per sample.
 *
 * <p>State is one {@link SeriesState} per series. A series that stays silent for the idle timeout (event
 * time) is forgotten by a timer; an open episode is closed first, so no anomaly is left dangling.
 */
public class ScoreSeries extends KeyedProcessFunction<String, MetricPoint, Anomaly> {
    private static final long serialVersionUID = 1L;
    

    private final DetectorSettings settings;
    private transient SeriesDetector detector;
    private transient ValueState<SeriesState> series;
    private transient ValueState<String[]> identity;

    public ScoreSeries(DetectorSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        detector = new SeriesDetector(settings);
        series = getRuntimeContext().getState(new ValueStateDescriptor<>("series", SeriesState.class));
        identity = getRuntimeContext().getState(new ValueStateDescriptor<>("identity", String[].class));
    }

    @Override
    public void processElement(MetricPoint point, Context ctx, Collector<Anomaly> out) throws Exception {
        SeriesState s = series.value();
        if (s == null) {
            s = new SeriesState();
            identity.update(new String[] {point.nodeId, point.metric, point.labels, point.nodeLabels == null ? "" : point.nodeLabels});
        }
        SeriesDetector.Transition t = detector.update(s, point.timestampMs, point.value, point.counter);
        if (t == SeriesDetector.Transition.STARTED) {
            out.collect(anomaly(identity.value(), s, AnomalyPhase.STARTED, null));
        } else if (t == SeriesDetector.Transition.ENDED) {
            out.collect(anomaly(identity.value(), s, AnomalyPhase.ENDED, point.timestampMs));
        }
        // One clean-up timer per series, moved forward lazily: re-registering on every sample would churn the timer queue.
        if (s.cleanupTimerMs == Long.MIN_VALUE) {
            s.cleanupTimerMs = s.lastTimestampMs + settings.idleTimeoutMs();
            ctx.timerService().registerEventTimeTimer(s.cleanupTimerMs);
        }
        series.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Anomaly> out) throws Exception {
        SeriesState s = series.value();
        if (s == null) {
            return;
        }
        long idleUntil = s.lastTimestampMs + settings.idleTimeoutMs();
        if (idleUntil > timestamp) {
            s.cleanupTimerMs = idleUntil;
            ctx.timerService().registerEventTimeTimer(idleUntil);
            series.update(s);
            return;
        }
        if (s.inEpisode) {
            out.collect(anomaly(identity.value(), s, AnomalyPhase.ENDED, s.lastTimestampMs));
        }
        series.clear();
        identity.clear();
    }

    private Anomaly anomaly(String[] id, SeriesState s, AnomalyPhase phase, Long endMs) {
        String nodeId = id[0];
        String metric = id[1];
        String labels = id[2];
        String baseline = SeriesDetector.episodeBaselineName(s);
        return Anomaly.newBuilder()
                .setAnomalyId(nodeId + "|" + metric + (labels.isEmpty() ? "" : "|" + labels) + "|" + s.episodeStartMs)
                .setNodeId(nodeId)
                .setMetric(metric)
                .setLabels(Labels.parse(labels))
                .setNodeLabels(Labels.parse(id.length > 3 ? id[3] : ""))
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
