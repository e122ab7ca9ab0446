package io.x0tta6bl4.jobs.diagnose;

import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyEndReason;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentResolution;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Analyze, step 2: groups a node's anomalies into one incident (keyed by node id).
 *
 * <p>The first anomaly opens an incident and starts a grouping window; when it closes the incident is
 * emitted ({@code OPEN}) with its ranked root causes, so symptoms that follow the cause within the window
 * are ranked together with it. A later anomaly that changes the top cause re-emits it ({@code UPDATED});
 * when every member anomaly has ended it is emitted {@code RESOLVED} and all state is cleared. An incident
 * whose anomalies all end inside the grouping window was a blip: it is dropped without being emitted.
 *
 * <p>A resolved incident says how it ended: {@code RECOVERED} only when every member's series came back to
 * normal. A member that ended because its series went silent (the node or its exporter may be down) or was
 * dropped over the node's series limit makes it {@code WENT_SILENT}, and one that reached its maximum age with
 * members still open is {@code EXPIRED}: HealJob must not take either for a remediation that worked.
 *
 * <p>Windows use processing time on purpose: anomalies are sparse, so event time would only advance when
 * the next anomaly somewhere arrives, and an incident could wait indefinitely for its window to close.
 * The incident's own timestamps are event time (the samples' time).
 */
public class GroupAnomaliesIntoIncidents extends KeyedProcessFunction<String, Anomaly, Incident> {
    private static final long serialVersionUID = 1L;

    private final long groupingWindowMs;
    private final long maxIncidentAgeMs;
    private transient RootCauseRanker ranker;
    private transient ValueState<IncidentHeader> header;
    private transient MapState<String, AnomalyEntry> members;

    public GroupAnomaliesIntoIncidents(long groupingWindowMs, long maxIncidentAgeMs) {
        this.groupingWindowMs = groupingWindowMs;
        this.maxIncidentAgeMs = maxIncidentAgeMs;
    }

    @Override
    public void open(OpenContext context) {
        ranker = new RootCauseRanker(2_000);
        header = getRuntimeContext().getState(new ValueStateDescriptor<>("incident", IncidentHeader.class));
        members = getRuntimeContext().getMapState(new MapStateDescriptor<>("anomalies", String.class, AnomalyEntry.class));
    }

    @Override
    public void processElement(Anomaly anomaly, Context ctx, Collector<Incident> out) throws Exception {
        IncidentHeader h = header.value();
        if (anomaly.getPhase() == AnomalyPhase.STARTED) {
            long now = ctx.timerService().currentProcessingTime();
            if (h == null) {
                h = new IncidentHeader();
                h.incidentId = ctx.getCurrentKey() + "-" + anomaly.getStartMs();
                h.openedAtMs = anomaly.getStartMs();
                h.emitTimerMs = now + groupingWindowMs;
                h.expiryTimerMs = now + maxIncidentAgeMs;
                h.nodeLabels = Labels.canonical(anomaly.getNodeLabels());
                ctx.timerService().registerProcessingTimeTimer(h.emitTimerMs);
                ctx.timerService().registerProcessingTimeTimer(h.expiryTimerMs);
            }
            members.put(anomaly.getAnomalyId(), new AnomalyEntry(anomaly.getAnomalyId(), anomaly.getNodeId(), anomaly.getMetric(),
                    anomaly.getStartMs(), anomaly.getScore(), anomaly.getObserved(), anomaly.getExpected()));
            h.updatedAtMs = Math.max(h.updatedAtMs, anomaly.getStartMs());
            if (h.emitted) {
                List<RootCause> causes = ranker.rank(entries());
                String top = key(causes.get(0));
                if (!top.equals(h.topCause)) {
                    emit(h, IncidentStatus.UPDATED, causes, null, out);
                }
            }
            header.update(h);
        } else if (h != null) {
            AnomalyEntry entry = members.get(anomaly.getAnomalyId());
            if (entry == null) {
                return; // an episode that started before this incident (or before a restart): not ours
            }
            entry.ended = true;
            // An end of a reason this job does not know (a newer DetectJob's) is not taken for a recovery either.
            entry.endedWithoutRecovery = anomaly.getEndReason() != null && anomaly.getEndReason() != AnomalyEndReason.RECOVERED;
            members.put(entry.anomalyId, entry);
            h.updatedAtMs = Math.max(h.updatedAtMs, anomaly.getEndMs() == null ? anomaly.getPeakMs() : anomaly.getEndMs());
            if (entries().stream().allMatch(e -> e.ended)) {
                if (h.emitted) {
                    boolean recovered = entries().stream().noneMatch(e -> e.endedWithoutRecovery);
                    emitResolved(h, recovered ? IncidentResolution.RECOVERED : IncidentResolution.WENT_SILENT, out);
                }
                close(h, ctx);
            } else {
                header.update(h);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Incident> out) throws Exception {
        IncidentHeader h = header.value();
        if (h == null) {
            return;
        }
        if (timestamp == h.expiryTimerMs) {
            // Anomalies that never reported their end (a lost series): resolve rather than hold state forever.
            if (h.emitted) {
                emitResolved(h, IncidentResolution.EXPIRED, out);
            }
            close(h, ctx);
        } else if (timestamp == h.emitTimerMs && !h.emitted) {
            emit(h, IncidentStatus.OPEN, ranker.rank(entries()), null, out);
            h.emitted = true;
            header.update(h);
        }
    }

    private void emitResolved(IncidentHeader h, IncidentResolution resolution, Collector<Incident> out) throws Exception {
        emit(h, IncidentStatus.RESOLVED, ranker.rank(entries()), resolution, out);
    }

    /** Emits the incident's next revision; {@code resolution} only with RESOLVED. */
    private void emit(IncidentHeader h, IncidentStatus status, List<RootCause> causes, IncidentResolution resolution, Collector<Incident> out)
            throws Exception {
        h.revision++;
        h.topCause = key(causes.get(0));
        TreeSet<String> nodes = new TreeSet<>();
        TreeSet<String> metrics = new TreeSet<>();
        List<String> ids = new ArrayList<>();
        double severity = 0;
        for (AnomalyEntry e : entries()) {
            nodes.add(e.nodeId);
            metrics.add(e.metric);
            ids.add(e.anomalyId);
            severity = Math.max(severity, e.score);
        }
        out.collect(Incident.newBuilder()
                .setIncidentId(h.incidentId)
                .setStatus(status)
                .setRevision(h.revision)
                .setOpenedAtMs(h.openedAtMs)
                .setUpdatedAtMs(Math.max(h.updatedAtMs, h.openedAtMs))
                .setSeverity(severity)
                .setNodes(new ArrayList<>(nodes))
                .setMetrics(new ArrayList<>(metrics))
                .setAnomalyIds(ids)
                .setRootCauses(causes)
                .setLabels(Labels.parse(h.nodeLabels))
                .setResolution(resolution)
                .build());
    }

    private void close(IncidentHeader h, Context ctx) {
        ctx.timerService().deleteProcessingTimeTimer(h.emitTimerMs);
        ctx.timerService().deleteProcessingTimeTimer(h.expiryTimerMs);
        header.clear();
        members.clear();
    }

    private List<AnomalyEntry> entries() throws Exception {
        List<AnomalyEntry> list = new ArrayList<>();
        for (AnomalyEntry e : members.values()) {
            list.add(e);
        }
        return list;
    }

    private static String key(RootCause cause) {
        return cause.getNodeId() + "|" + cause.getMetric();
    }
}
