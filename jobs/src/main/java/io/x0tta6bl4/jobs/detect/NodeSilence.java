package io.x0tta6bl4.jobs.detect;

/**
 * When a node, or one of its series, has gone silent. Monitor, first, for the one fault no series can show: a node that
 * stopped sending telemetry. A node that is down, or whose exporter or network path is, sends nothing that could
 * deviate; its series' episodes only end, ten minutes later, by silence. A node is silent once no batch came for {@code nodeSilentAfterMs} of event time (a minute) or
 * {@link #SILENT_AFTER_INTERVALS} of its usual batch intervals, whichever is longer: an exporter that sends every
 * minute is not silent after one late batch.
 *
 * <p>The usual interval is learnt from the gaps between the node's batches: their plain mean over the first
 * {@link #LEARNING_GAPS}, then a running mean in which a gap counts for at most twice (at least half) the usual one,
 * so neither an outage nor a burst of queued batches teaches the node a new rhythm at once. Silence is judged only
 * after {@link #JUDGED_AFTER_GAPS} gaps: two batches sent together at start-up say nothing of the rhythm.
 *
 * <p>Event time means the silence is measured against the rest of the fleet's telemetry, which moves the watermark:
 * when everything stops (Kafka, the job or the whole fleet is down), no node is called silent. A node is heard at the
 * later of its newest batch's time and the watermark when that batch came: a node that sends the backlog it kept
 * through a partition sends batches older than the watermark, and is not silent while it does (judged by its batches'
 * times alone, it was called silent again after every one of them). The same goes for a series' open episode, which
 * the idle timeout ends: when the series is gone from its node's batches for that long, or its node is silent that
 * long; not while a backlog is replayed.
 *
 * <p>Nor is a node judged, or a series' episode closed, while the job catches up: when event time is further behind
 * the wall clock than the threshold (the node's, or the idle timeout), after a restart or in a replay. The job then
 * reads history at many times real time, its Kafka partitions at uneven speeds, and the nodes of a partition read later
 * look silent to the watermark the others moved on: on the throughput benchmark, which replays 40 minutes of telemetry
 * in seconds, nodes were called silent and heard again in every run. Judging resumes once the job has caught up. The
 * state is five fields of the node's {@link NodeSeries}.
 */
final class NodeSilence {
    /** A node is silent after this many of its usual batch intervals without one (or nodeSilentAfterMs, if longer). */
    static final int SILENT_AFTER_INTERVALS = 5;
    static final int JUDGED_AFTER_GAPS = 3;
    static final int LEARNING_GAPS = 10;
    private static final double INTERVAL_WEIGHT = 1.0 / LEARNING_GAPS;

    private final DetectorSettings settings;

    NodeSilence(DetectorSettings settings) {
        this.settings = settings;
    }

    /**
     * A batch stamped {@code ts} came from the node, with event time at {@code watermarkMs}: learns its rhythm and ends
     * its silence. Returns when the silence that this batch ends began (the node's last batch before it), or
     * {@link Long#MIN_VALUE} if it was not silent.
     */
    long heard(NodeSeries node, long ts, long watermarkMs) {
        long silentSince = node.silentSinceMs;
        node.silentSinceMs = Long.MIN_VALUE;
        node.heardAtWatermarkMs = Math.max(node.heardAtWatermarkMs, watermarkMs);
        if (node.lastBatchMs == Long.MIN_VALUE || SeriesDetector.clockSteppedBack(settings, node.lastBatchMs, ts)) {
            node.lastBatchMs = ts; // the first batch, or a clock stepped back: the new present
            return silentSince;
        }
        long gap = ts - node.lastBatchMs;
        if (gap <= 0) {
            return silentSince; // a late or repeated batch says nothing of the rhythm
        }
        node.batchGaps = Math.min(node.batchGaps + 1, LEARNING_GAPS);
        if (node.batchGaps < LEARNING_GAPS) {
            node.batchIntervalMs += (gap - node.batchIntervalMs) / node.batchGaps;
        } else {
            double counted = Math.max(node.batchIntervalMs / 2, Math.min(gap, 2 * node.batchIntervalMs));
            node.batchIntervalMs += INTERVAL_WEIGHT * (counted - node.batchIntervalMs);
        }
        node.lastBatchMs = ts;
        return silentSince;
    }

    /** When the node is silent if nothing more comes (event time): {@link Long#MAX_VALUE} when not judged or already silent. */
    long silentAtMs(NodeSeries node) {
        if (settings.nodeSilentAfterMs() == 0 || node.batchGaps < JUDGED_AFTER_GAPS || node.silentSinceMs != Long.MIN_VALUE) {
            return Long.MAX_VALUE;
        }
        return heardAtMs(node) + silentAfterMs(node);
    }

    /** The event time the node was last heard at: its newest batch's, or the watermark's when a late batch came. */
    private static long heardAtMs(NodeSeries node) {
        return Math.max(node.lastBatchMs, node.heardAtWatermarkMs);
    }

    /**
     * When the open episode of series {@code s} of {@code node} (null: a node with no series left) ends by silence if
     * nothing more comes: the idle timeout after its last sample if its node's own batches went on without it that long,
     * otherwise the idle timeout after the later of its last sample and the moment its node was last heard.
     */
    long seriesSilentAtMs(NodeSeries node, SeriesState s) {
        long idle = settings.idleTimeoutMs();
        if (node == null || node.lastBatchMs - s.lastTimestampMs >= idle) {
            return s.lastTimestampMs + idle;
        }
        return Math.max(s.lastTimestampMs, node.heardAtWatermarkMs) + idle;
    }

    /**
     * Whether the open episode of series {@code s} ends by silence at event time {@code now}, with event time
     * {@code lagMs} behind the wall clock: not while the job catches up (a lag longer than the idle timeout).
     */
    boolean seriesSilent(NodeSeries node, SeriesState s, long now, long lagMs) {
        return seriesSilentAtMs(node, s) <= now && lagMs <= settings.idleTimeoutMs();
    }

    /** When to look at an open episode's silence next, having looked at {@code now}. Always later than {@code now}. */
    long seriesNextCheckMs(NodeSeries node, SeriesState s, long now) {
        long at = seriesSilentAtMs(node, s);
        return at > now ? at : now + settings.idleTimeoutMs();
    }

    /** How long the node may send nothing before it counts as silent. */
    long silentAfterMs(NodeSeries node) {
        return Math.max(settings.nodeSilentAfterMs(), (long) Math.ceil(SILENT_AFTER_INTERVALS * node.batchIntervalMs));
    }

    /**
     * At event time {@code now}, with event time {@code lagMs} behind the wall clock: whether the node has just become
     * silent, which opens its silence. Not while the job catches up (a lag longer than the node's threshold).
     */
    boolean becameSilent(NodeSeries node, long now, long lagMs) {
        if (silentAtMs(node) > now || lagMs > silentAfterMs(node)) {
            return false;
        }
        node.silentSinceMs = node.lastBatchMs;
        return true;
    }

    /**
     * When to look at the node's silence next, having looked at event time {@code now}: when it would be silent, or, if
     * that has passed (the job was catching up), one threshold later. Always later than {@code now}.
     */
    long nextCheckMs(NodeSeries node, long now) {
        long at = silentAtMs(node);
        return at > now ? at : now + silentAfterMs(node);
    }
}
