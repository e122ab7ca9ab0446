package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.MetricSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every series of one node, kept in the order the node's batches list them, so that a batch finds each sample's
 * state by position: an exporter lists its series in the same order every interval, and checking that the state at
 * position i is the sample's series costs a string comparison, where a lookup by key cost building the key, hashing it
 * and a state access per sample. When a batch's order differs (a series appeared, vanished or moved) the state is
 * found by search and the list is re-ordered as the batch had it, so the next batch is matched by position again.
 *
 * <p>One value per node: a batch touches every series of its node, so reading and writing them together costs no
 * more than one by one, on the heap state backend (a reference) as on RocksDB (the same bytes). A Flink POJO.
 */
public class NodeSeries {
    public SeriesState[] series = new SeriesState[0];
    /** The node's labels (canonical) as its last batch had them, and when the inventory last heard of the node. */
    public String nodeLabels = "";
    /**
     * The decoded label map that {@link #nodeLabels} was last checked against: the decoder hands out the same map for
     * the same bytes, so an identical one needs no check. Not state: after a restore the first batch checks again.
     */
    public transient Map<String, String> nodeLabelsCheckedFor;
    public long seenReportedMs = Long.MIN_VALUE;
    /**
     * When the node's clean-up timer fires (event time; MIN_VALUE: none set): it closes the episodes of series that
     * went silent and drops series silent for long.
     */
    public long cleanupAtMs = Long.MIN_VALUE;
    /** The newest batch's timestamp (MIN_VALUE: none yet), for {@link NodeSilence}. */
    public long lastBatchMs = Long.MIN_VALUE;
    /** The node's usual interval between batches (ms), and how many gaps it was learnt from (at most a few). */
    public double batchIntervalMs;
    public int batchGaps;
    /** The watermark when the node's last batch came: later than the batch's time while it sends a backlog. */
    public long heardAtWatermarkMs = Long.MIN_VALUE;
    /** The last batch before the node went silent, while it is (MIN_VALUE: it is not). */
    public long silentSinceMs = Long.MIN_VALUE;

    public NodeSeries() {}

    /** Finds the states of a batch's samples, creating those never seen; then the list follows the batch's order. */
    public final class Matcher {
        private int position;
        /** This batch's states in its order; null while every sample so far was where the list expected it. */
        private List<SeriesState> reordered;

        private Matcher() {}

        /** The state of the next sample of the batch (histogram buckets excluded by the caller). */
        public SeriesState next(MetricSample sample) {
            SeriesState s = position < series.length && matches(series[position], sample) ? series[position] : null;
            if (s == null) {
                if (reordered == null) { // the first sample out of place: the batch's order so far is the list's
                    reordered = new ArrayList<>(series.length + 1);
                    reordered.addAll(Arrays.asList(series).subList(0, position));
                }
                s = find(sample);
            }
            if (reordered != null) {
                reordered.add(s);
            }
            position++;
            return s;
        }

        /** After the batch: the series it listed, in its order, then the ones it did not list. */
        public void finish() {
            if (reordered == null) {
                return;
            }
            IdentityHashMap<SeriesState, Boolean> placed = new IdentityHashMap<>();
            List<SeriesState> order = new ArrayList<>(reordered.size() + series.length);
            for (SeriesState s : reordered) {
                if (placed.put(s, Boolean.TRUE) == null) { // a series listed twice in one batch is kept once
                    order.add(s);
                }
            }
            for (SeriesState s : series) {
                if (placed.put(s, Boolean.TRUE) == null) {
                    order.add(s);
                }
            }
            series = order.toArray(new SeriesState[0]);
            reordered = null;
        }

        private SeriesState find(MetricSample sample) {
            for (SeriesState s : series) {
                if (matches(s, sample)) {
                    return s;
                }
            }
            if (reordered != null) { // a series first seen earlier in this same batch
                for (SeriesState s : reordered) {
                    if (matches(s, sample)) {
                        return s;
                    }
                }
            }
            SeriesState s = new SeriesState();
            s.metric = sample.getName();
            s.labels = Labels.canonical(sample.getLabels());
            s.labelsCheckedFor = sample.getLabels();
            return s;
        }
    }

    /** A matcher for one batch; {@link Matcher#finish()} after its last sample. */
    public Matcher matcher() {
        return new Matcher();
    }

    /** Whether {@code sample} belongs to series {@code s}: names compare by reference first, labels by their map's. */
    private static boolean matches(SeriesState s, MetricSample sample) {
        if (!s.metric.equals(sample.getName())) {
            return false;
        }
        Map<String, String> labels = sample.getLabels();
        if (labels == s.labelsCheckedFor) {
            return true;
        }
        if (!Labels.matches(s.labels, labels)) {
            return false;
        }
        s.labelsCheckedFor = labels;
        return true;
    }
}
