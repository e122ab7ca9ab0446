package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.connectors.TelemetryDecoder;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyEndReason;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.Evidence;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import io.x0tta6bl4.jobs.detect.node.DjlRuntime;
import io.x0tta6bl4.jobs.detect.node.NodeAutoencoder;
import io.x0tta6bl4.jobs.detect.node.NodeModelSettings;
import io.x0tta6bl4.jobs.detect.node.NodeModelState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
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
 * model) lives under one key. State stays bounded: a series silent for the idle timeout (event time, ten minutes)
 * has its open episode closed, one silent for {@code forgetAfterMs} (a day) is dropped, and a node whose series are
 * all gone leaves no state. Closing and forgetting are apart so that a node's reboot or a network partition ends its
 * incidents without costing what its series learnt. A node that sends nothing for a minute (or five of its usual
 * intervals) is itself reported, as {@value #NODE_SILENT_METRIC} ({@link NodeSilence}): the fault that no series shows.
 * One event-time timer per node, moved forward lazily.
 */
public class ScoreNodeSeries extends KeyedProcessFunction<String, RawRecord, Anomaly> {
    private static final long serialVersionUID = 1L;
    /** That a node sent telemetry, for the inventory (same key: chained, not shuffled): see {@link #SEEN_REPORT_MS}. */
    public static final OutputTag<NodeSeen> SEEN = new OutputTag<>("node-seen", TypeInformation.of(NodeSeen.class));

    /** A node's telemetry is reported to the inventory at most this often (event time), and whenever its labels change. */
    static final long SEEN_REPORT_MS = 10_000;

    /** The metric name of a node model's reconstruction error (see {@link NodeAutoencoder}). */
    public static final String NODE_MODEL_METRIC = "node_model_reconstruction_error";
    /** The metric name of a node's silence (see {@link NodeSilence}): observed is how long it has sent nothing, in seconds. */
    public static final String NODE_SILENT_METRIC = "node_silent_seconds";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScoreNodeSeries.class);

    private final DetectorSettings settings;
    private final NodeModelSettings modelSettings;
    private transient boolean modelOn;
    private transient Map<String, NodeAutoencoder> models;
    private transient ValueState<NodeModelState> nodeModel;
    private transient SeriesDetector detector;
    private transient NodeSilence silence;
    private transient TelemetryDecoder decoder;
    /** Decoded into again and again: nothing of a batch outlives its processElement call. */
    private transient TelemetryBatch reuse;
    /** What the read-ahead read, kept so that the compiler cannot drop the reads. Meaningless otherwise. */
    private transient long readAheadSum;
    /**
     * Silences due but not judged because the job was catching up (a Flink metric): one that lags its fleet, or whose
     * clock runs ahead of the nodes', by more than the threshold for long judges none, and this says so.
     */
    private transient Counter silenceDeferred;
    /** Series forgotten because their node had more than {@code maxSeriesPerNode} (a Flink metric). */
    private transient Counter seriesOverLimit;
    /** When the last warning about a node over the series limit was logged (event time): at most one a minute. */
    private transient long lastOverLimitWarningMs = Long.MIN_VALUE;
    /** The node's series and its clean-up timer: one value, one state lookup per batch. */
    private transient ValueState<NodeSeries> nodeSeries;

    public ScoreNodeSeries(DetectorSettings settings) {
        this(settings, NodeModelSettings.disabled());
    }

    public ScoreNodeSeries(DetectorSettings settings, NodeModelSettings modelSettings) {
        this.settings = settings;
        this.modelSettings = modelSettings;
    }

    @Override
    public void open(OpenContext context) {
        detector = new SeriesDetector(settings);
        silence = new NodeSilence(settings);
        decoder = new TelemetryDecoder();
        nodeSeries = getRuntimeContext().getState(new ValueStateDescriptor<>("node-series", NodeSeries.class));
        seriesOverLimit = getRuntimeContext().getMetricGroup().counter("seriesForgottenOverLimit");
        silenceDeferred = getRuntimeContext().getMetricGroup().counter("silenceDeferredCatchingUp");
        nodeModel = getRuntimeContext().getState(new ValueStateDescriptor<>("node-model", NodeModelState.class));
        models = new HashMap<>();
        modelOn = modelSettings.enabled();
        if (modelOn) {
            String why = DjlRuntime.unavailableReason();
            if (why != null) {
                LOG.warn("node model disabled: {}; series are still scored one by one", why);
                modelOn = false;
            }
        }
    }

    @Override
    public void close() throws Exception {
        // Only with the model on: touching its class without DJL on the class path would fail the task.
        if (modelOn) {
            for (NodeAutoencoder model : models.values()) {
                model.close();
            }
            models.clear();
        }
        super.close();
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<Anomaly> out) throws Exception {
        // The node's series are read ahead, before the batch is even decoded: their cache misses then overlap each
        // other and the decoding instead of stalling each sample in turn.
        NodeSeries node = nodeSeries.value();
        if (node != null) {
            readAheadSum += SeriesDetector.readAhead(node.series);
        }
        TelemetryBatch batch;
        try {
            batch = decoder.decode(raw.value, reuse);
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
        long ts = batch.getTimestampMs();
        if (node == null) {
            node = new NodeSeries();
        }
        // The decoder hands out one map per encoding of the labels: the same map as last time needs no check.
        boolean relabelled = batch.getNodeLabels() != node.nodeLabelsCheckedFor && !Labels.matches(node.nodeLabels, batch.getNodeLabels());
        if (relabelled) {
            node.nodeLabels = Labels.canonical(batch.getNodeLabels());
        }
        node.nodeLabelsCheckedFor = batch.getNodeLabels();
        // The inventory hears of a node when it appears, when its labels change, and then every few seconds of event
        // time (its heartbeat is a minute, its idle timeout ten): not once per batch.
        if (relabelled || node.seenReportedMs == Long.MIN_VALUE || ts - node.seenReportedMs >= SEEN_REPORT_MS || ts < node.seenReportedMs) {
            node.seenReportedMs = ts;
            ctx.output(SEEN, new NodeSeen(batch.getNodeId(), node.nodeLabels, ts));
        }
        String nodeLabels = node.nodeLabels;
        long silentSince = silence.heard(node, ts, ctx.timerService().currentWatermark());
        if (silentSince != Long.MIN_VALUE) {
            out.collect(silenceAnomaly(batch.getNodeId(), node, silentSince, AnomalyPhase.ENDED, ts, AnomalyEndReason.RECOVERED,
                    "telemetry came again after %.0f s of silence"));
        }
        NodeModelState model = modelOn ? nodeModelState() : null;
        float[] features = model == null ? null : new float[modelSettings.dims()];
        NodeSeries.Matcher matcher = node.matcher();
        boolean opened = false;
        for (MetricSample sample : batch.getSamples()) {
            if (sample.getKind() == MetricKind.HISTOGRAM_BUCKET) {
                continue; // distributions are for IndexJob; their _sum and _count series are scored like any counter
            }
            SeriesState s = matcher.next(sample);
            SeriesDetector.Transition t = detector.update(s, ts, sample.getValue(), sample.getKind() == MetricKind.COUNTER);
            if (model != null) {
                int input = inputOf(model, s.key());
                if (input >= 0) {
                    // The residual in units of 4 sigma, clipped: the model sees how series deviate together.
                    features[input] = (float) Math.max(-1, Math.min(1, detector.lastZ() / 4));
                }
            }
            if (t != SeriesDetector.Transition.NONE) {
                opened |= t == SeriesDetector.Transition.STARTED;
                s.nodeLabels = nodeLabels;
                out.collect(t == SeriesDetector.Transition.STARTED ? started(batch.getNodeId(), s) : recovered(batch.getNodeId(), s, ts));
            }
        }
        matcher.finish();
        if (node.series.length > settings.maxSeriesPerNode()) {
            forgetLeastRecentlySeen(batch.getNodeId(), node, ts, out);
        }
        if (model != null && informative(features)) {
            scoreNode(batch.getNodeId(), nodeLabels, ts, model, features, out);
        }
        // The node's timer must come no later than the idle timeout once an episode is open, and than the forget time
        // otherwise, nor later than the moment the node would be silent; an earlier one is moved on when it fires.
        long due = Math.min(ts + (opened || (model != null && model.error.inEpisode) ? settings.idleTimeoutMs() : settings.forgetAfterMs()),
                silence.silentAtMs(node));
        if (node.cleanupAtMs == Long.MIN_VALUE || node.cleanupAtMs > due) {
            if (node.cleanupAtMs != Long.MIN_VALUE) {
                ctx.timerService().deleteEventTimeTimer(node.cleanupAtMs);
            }
            node.cleanupAtMs = due;
            ctx.timerService().registerEventTimeTimer(due);
        }
        nodeSeries.update(node);
    }

    /**
     * The node's timer: a node that sent nothing for long is reported silent ({@link NodeSilence}); a series silent for
     * the idle timeout has its open episode closed, one silent for {@code forgetAfterMs} is dropped with all it learnt,
     * and a node with no series left leaves no state. One timer per node, set for the next of those moments and moved on
     * lazily: a node or series that sent since is simply due later.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Anomaly> out) throws Exception {
        String nodeId = ctx.getCurrentKey();
        NodeSeries node = nodeSeries.value();
        // The end of a bounded input (a replay, a benchmark) brings the last watermark: no more telemetry is not silence.
        long watermark = ctx.timerService().currentWatermark();
        boolean endOfInput = watermark == Long.MAX_VALUE;
        long lag = ctx.timerService().currentProcessingTime() - watermark; // beyond a threshold: catching up on history
        if (node != null && !endOfInput) {
            if (silence.becameSilent(node, timestamp, lag)) {
                out.collect(silenceAnomaly(nodeId, node, node.silentSinceMs, AnomalyPhase.STARTED, timestamp, null,
                        "no telemetry for %.0f s of event time: the node, its exporter, or its path to this job (network, Kafka) is down"));
            } else if (silence.silentAtMs(node) <= timestamp) {
                silenceDeferred.inc(); // due, but the job is catching up
            }
        }
        List<SeriesState> kept = new ArrayList<>();
        long nextDue = Long.MAX_VALUE;
        for (SeriesState s : node == null ? new SeriesState[0] : node.series) {
            endIfSilent(nodeId, node, s, timestamp, lag, out);
            if (s.lastTimestampMs + settings.forgetAfterMs() > timestamp) {
                kept.add(s);
                nextDue = Math.min(nextDue, dueMs(node, s, timestamp));
            }
        }
        NodeModelState model = nodeModel.value();
        if (model != null) {
            if (endIfSilent(nodeId, node, model.error, timestamp, lag, out)) {
                nodeModel.update(model);
            }
            if (model.error.inEpisode) {
                nextDue = Math.min(nextDue, dueMs(node, model.error, timestamp));
            }
        }
        if (kept.isEmpty()) {
            if (node != null && node.silentSinceMs != Long.MIN_VALUE) {
                out.collect(silenceAnomaly(nodeId, node, node.silentSinceMs, AnomalyPhase.ENDED, timestamp, AnomalyEndReason.WENT_SILENT,
                        "no telemetry for %.0f s: the node is forgotten, it never came back"));
            }
            nodeSeries.clear();
            nodeModel.clear();
            if (modelOn) {
                NodeAutoencoder live = models.remove(nodeId);
                if (live != null) {
                    live.close();
                }
            }
            return;
        }
        node.series = kept.toArray(new SeriesState[0]);
        if (!endOfInput) {
            nextDue = Math.min(nextDue, silence.nextCheckMs(node, timestamp)); // at the end it would fire again and again
        }
        node.cleanupAtMs = nextDue;
        nodeSeries.update(node);
        ctx.timerService().registerEventTimeTimer(nextDue);
    }

    /**
     * Keeps a node within {@code maxSeriesPerNode} series: those it has not sent for longest go first (an open episode
     * is ended), and of a batch that alone lists more, the ones it lists last. A label that takes a new value every
     * interval (a request id, a time) makes a new series each time, and kept for {@code forgetAfterMs} each they would
     * grow the node's state without bound; its steady series are in every batch and stay.
     */
    private void forgetLeastRecentlySeen(String nodeId, NodeSeries node, long ts, Collector<Anomaly> out) {
        SeriesState[] series = node.series;
        Integer[] order = new Integer[series.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> series[i].lastTimestampMs).thenComparing(Comparator.reverseOrder()));
        int excess = series.length - settings.maxSeriesPerNode();
        boolean[] forgotten = new boolean[series.length];
        for (int k = 0; k < excess; k++) {
            SeriesState s = series[order[k]];
            forgotten[order[k]] = true;
            if (detector.endSilentEpisode(s)) {
                out.collect(endedWithoutRecovery(nodeId, s, AnomalyEndReason.OVER_SERIES_LIMIT, "series-limit", String.format("the node has more than %d series and this one "
                        + "is among those it sent least recently: forgotten, not recovered", settings.maxSeriesPerNode())));
            }
        }
        List<SeriesState> kept = new ArrayList<>(settings.maxSeriesPerNode());
        for (int i = 0; i < series.length; i++) {
            if (!forgotten[i]) {
                kept.add(series[i]);
            }
        }
        node.series = kept.toArray(new SeriesState[0]);
        seriesOverLimit.inc(excess);
        if (lastOverLimitWarningMs == Long.MIN_VALUE || ts - lastOverLimitWarningMs >= 60_000 || ts < lastOverLimitWarningMs) {
            lastOverLimitWarningMs = ts;
            LOG.warn("node {} has more than {} series: forgot the {} it sent least recently (a label with ever-new values?)",
                    nodeId, settings.maxSeriesPerNode(), excess);
        }
    }

    /**
     * When the clean-up must next look at a series: when its open episode is to be closed, or when it is to be forgotten.
     * Later than now for every series the clean-up keeps and leaves in its episode, or its timer would fire for ever.
     */
    private long dueMs(NodeSeries node, SeriesState s, long now) {
        return s.inEpisode ? silence.seriesNextCheckMs(node, s, now) : s.lastTimestampMs + settings.forgetAfterMs();
    }

    /** Ends the open episode of a series silent for the idle timeout ({@link NodeSilence}), reported as ending at its last sample. */
    private boolean endIfSilent(String nodeId, NodeSeries node, SeriesState s, long now, long lagMs, Collector<Anomaly> out) {
        if (s.inEpisode && silence.seriesSilent(node, s, now, lagMs) && detector.endSilentEpisode(s)) {
            out.collect(endedWithoutRecovery(nodeId, s, AnomalyEndReason.WENT_SILENT, "silence", String.format("no sample for %d s of event time: the node or the "
                    + "series went silent, which is not a recovery", settings.idleTimeoutMs() / 1000))); // no episode left dangling
            return true;
        }
        return false;
    }

    /**
     * A node's silence, begun after its batch at {@code sinceMs}, as seen at {@code atMs} ({@code detail} has the silence
     * in seconds to format). Score 1: unlike a deviation, a silence this long is not a matter of degree.
     */
    private Anomaly silenceAnomaly(String nodeId, NodeSeries node, long sinceMs, AnomalyPhase phase, long atMs, AnomalyEndReason endReason,
            String detail) {
        double silentSeconds = (atMs - sinceMs) / 1000.0;
        return Anomaly.newBuilder()
                .setAnomalyId(nodeId + "|" + NODE_SILENT_METRIC + "|" + sinceMs)
                .setNodeId(nodeId)
                .setMetric(NODE_SILENT_METRIC)
                .setLabels(Map.of())
                .setNodeLabels(Labels.parse(node.nodeLabels))
                .setPhase(phase)
                .setStartMs(sinceMs)
                .setPeakMs(sinceMs)
                .setEndMs(phase == AnomalyPhase.ENDED ? atMs : null)
                .setEndReason(endReason)
                .setScore(1.0)
                .setObserved(silentSeconds)
                .setExpected(node.batchIntervalMs / 1000.0)
                .setEvidence(List.of(new Evidence("node-silence", 1.0, String.format(detail, silentSeconds)
                        + String.format(" (it sends every %.1f s)", node.batchIntervalMs / 1000.0))))
                .build();
    }

    private Anomaly started(String nodeId, SeriesState s) {
        return anomaly(nodeId, s, AnomalyPhase.STARTED, null, null);
    }

    /** The end of an episode whose samples came back to normal, at {@code endMs}. */
    private Anomaly recovered(String nodeId, SeriesState s, long endMs) {
        return anomaly(nodeId, s, AnomalyPhase.ENDED, endMs, AnomalyEndReason.RECOVERED);
    }

    /**
     * The end of an episode that no sample ended, at the series' last sample, with the reason and evidence saying why:
     * an analyst (or HealJob's verification) must not read a node that went down as a node that recovered.
     */
    private Anomaly endedWithoutRecovery(String nodeId, SeriesState s, AnomalyEndReason reason, String source, String detail) {
        return withEvidence(anomaly(nodeId, s, AnomalyPhase.ENDED, s.lastTimestampMs, reason), source, detail);
    }

    /** {@code a} with one more piece of evidence, at its score. */
    private static Anomaly withEvidence(Anomaly a, String source, String detail) {
        List<Evidence> evidence = new ArrayList<>(a.getEvidence());
        evidence.add(new Evidence(source, a.getScore(), detail));
        a.setEvidence(evidence);
        return a;
    }

    private NodeModelState nodeModelState() throws Exception {
        NodeModelState model = nodeModel.value();
        if (model == null) {
            model = new NodeModelState();
            model.inputs = new String[modelSettings.dims()];
            model.error.metric = NODE_MODEL_METRIC;
        }
        return model;
    }

    /** At least two series past their warm-up: before that there is no joint behaviour to learn. */
    private static boolean informative(float[] features) {
        int live = 0;
        for (float f : features) {
            if (f != 0) {
                live++;
            }
        }
        return live >= 2;
    }

    /** The model input a series feeds, assigned in order of appearance; -1 when all inputs are taken. */
    private static int inputOf(NodeModelState model, String key) {
        for (int i = 0; i < model.inputs.length; i++) {
            if (model.inputs[i] == null) {
                model.inputs[i] = key;
                return i;
            }
            if (model.inputs[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Scores the node's vector with its model, lets the model learn it, and scores the reconstruction error as a
     * series of its own (upward deviations only), once the model has trained enough to mean something.
     */
    private void scoreNode(String nodeId, String nodeLabels, long ts, NodeModelState model, float[] features, Collector<Anomaly> out)
            throws Exception {
        NodeAutoencoder live = models.get(nodeId);
        if (live == null) {
            live = new NodeAutoencoder(modelSettings.dims(), modelSettings.batchSize(), modelSettings.learningRate());
            if (model.parameters != null) {
                live.restore(model.parameters); // after a restart: resume from the last checkpointed parameters
            }
            models.put(nodeId, live);
        }
        long stepsBefore = live.trainingSteps();
        double[] errors = new double[modelSettings.dims()];
        double error = live.scoreAndLearn(features, errors);
        model.vectors++;
        if (live.trainingSteps() != stepsBefore) {
            model.parameters = live.parameters();
        }
        if (live.trainingSteps() >= modelSettings.warmupSteps()) {
            SeriesDetector.Transition t = detector.update(model.error, ts, error, false, true);
            if (t != SeriesDetector.Transition.NONE) {
                model.error.nodeLabels = nodeLabels;
                Anomaly a = t == SeriesDetector.Transition.STARTED ? started(nodeId, model.error) : recovered(nodeId, model.error, ts);
                out.collect(withEvidence(a, "node-model", contributors(model, errors)));
            }
        }
        nodeModel.update(model);
    }

    /** The inputs whose reconstruction failed most: where the node's usual pattern broke. */
    private static String contributors(NodeModelState model, double[] errors) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < errors.length; i++) {
            if (model.inputs[i] != null) {
                order.add(i);
            }
        }
        order.sort((a, b) -> Double.compare(errors[b], errors[a]));
        StringBuilder sb = new StringBuilder("autoencoder over the node's series; largest reconstruction errors:");
        for (int k = 0; k < Math.min(3, order.size()); k++) {
            sb.append(k == 0 ? " " : ", ").append(model.inputs[order.get(k)]).append(String.format(" %.3g", errors[order.get(k)]));
        }
        return sb.toString();
    }

    /** Appended to a member's evidence when its surprise, not the baseline's, made the peak's score. */
    private static final String DECIDED = "; this member decided the score";

    /** What the novelty member did to the peak's score: decided it, discounted the baseline's surprise, or neither. */
    private String noveltyRole(Episode e) {
        if (e.peakByNovelty) {
            return DECIDED;
        }
        return detector.familiar(e.peakNoveltyZ) ? "; a shape seen before: the baseline's surprise counted less" : "";
    }

    private Anomaly anomaly(String nodeId, SeriesState s, AnomalyPhase phase, Long endMs, AnomalyEndReason endReason) {
        String baseline = SeriesDetector.episodeBaselineName(s);
        Episode e = s.episode;
        return Anomaly.newBuilder()
                .setAnomalyId(nodeId + "|" + s.key() + "|" + e.startMs)
                .setNodeId(nodeId)
                .setMetric(s.metric)
                .setLabels(Labels.parse(s.labels))
                .setNodeLabels(Labels.parse(s.nodeLabels))
                .setPhase(phase)
                .setStartMs(e.startMs)
                .setPeakMs(e.peakMs)
                .setEndMs(endMs)
                .setEndReason(endReason)
                .setScore(e.peakScore)
                .setObserved(e.peakObserved)
                .setExpected(e.expected)
                .setEvidence(evidence(e, baseline))
                .build();
    }

    /** Which members fired: the baseline's deviation, how often the series has shown one as large, the window novelty and the range. */
    private List<Evidence> evidence(Episode e, String baseline) {
        List<Evidence> evidence = new ArrayList<>(4);
        evidence.add(new Evidence("seasonal-baseline/" + baseline, e.peakScore,
                String.format("peak z=%.1f against the %s baseline: observed %.4g vs expected %.4g", e.peakZ, baseline, e.peakObserved, e.expected)));
        evidence.add(new Evidence("surprise-calibration", e.peakScore,
                String.format("deviations this large seen %.0f times before in this series (decayed count)", Math.max(e.seenBefore, 0))));
        if (Double.isFinite(e.peakNoveltyZ)) {
            evidence.add(new Evidence("window-novelty", e.peakScore, String.format("last %d deviations from the expected value %.1f standard "
                    + "deviations (log distance) farther than usual from every shape seen before%s", WindowNovelty.WINDOW, e.peakNoveltyZ,
                    noveltyRole(e))));
        }
        if (e.peakRangeExcess > 0) {
            evidence.add(new Evidence("historical-range", e.peakScore, String.format("%.4g is beyond every value the series has shown "
                    + "(a slowly forgetting range) by %.1f long-run standard deviations%s", e.peakObserved, e.peakRangeExcess,
                    e.peakByRange ? DECIDED : "")));
        }
        return evidence;
    }
}
