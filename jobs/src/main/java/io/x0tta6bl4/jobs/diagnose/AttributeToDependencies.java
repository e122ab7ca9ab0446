package io.x0tta6bl4.jobs.diagnose;

import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis;
import io.x0tta6bl4.schema.ControlKind;
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.Evidence;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Analyze, step 3: across nodes. A node's incident may be the symptom of a failing dependency (a web node slow
 * because the database node it calls has slow disks). With the dependency graph, from config and from
 * {@code dependency/<caller>} records on the control topic, every open incident is ranked with
 * {@link RootCauseAnalysis} against the open incidents of what its node depends on (transitively); when a
 * dependency is the more likely culprit, the incident is re-published with that dependency's root causes first
 * (so HealJob acts on the culprit, not on its victims) and its own after them. When a dependency's incident
 * opens after its victim's, the victim's incident is re-ranked and updated then.
 *
 * <p>A dependency's incident stays a suspect for {@code overlapMs} after it resolves: a victim's symptoms lag
 * their cause, and a quickly healed cause may be over before its victim's incident is even published.
 *
 * <p>Keyed by one constant key: incidents are few (one per node and episode, not per sample), and seeing them
 * all in one place is what cross-node attribution needs. State is the open incidents and the recently resolved
 * ones, each removed by a processing-time timer {@code overlapMs} after it resolves. This stage owns the revision numbers it publishes, since it can publish more updates than step 2.
 * Without dependencies an incident passes through unchanged (apart from its revision).
 */
public class AttributeToDependencies extends KeyedBroadcastProcessFunction<String, Incident, ControlRecord, Incident> {
    private static final long serialVersionUID = 1L;
    /** The control topic's dependency records, by caller: comma-separated callees. */
    public static final MapStateDescriptor<String, String> DEPENDENCIES =
            new MapStateDescriptor<>("dependencies", Types.STRING, Types.STRING);
    /** Its own causes keep half their score behind a dependency's: still visible, never first. */
    static final double VICTIM_CAUSE_WEIGHT = 0.5;

    private final Map<String, Set<String>> configured;
    private final long overlapMs;
    private transient MapState<String, Incident> latest;
    private transient MapState<String, Incident> published;
    /** Resolved incidents still kept as suspects: incident id to the processing time they are forgotten at. */
    private transient MapState<String, Long> forgetAt;

    /**
     * @param configured dependencies from config, caller to callees (a control record for a caller replaces its entry)
     * @param overlapMs a dependency's incident may open this much after its victim's and still be blamed
     */
    public AttributeToDependencies(Map<String, Set<String>> configured, long overlapMs) {
        this.configured = new HashMap<>(configured);
        this.overlapMs = overlapMs;
    }

    /** Parses {@code web-1->db-1,web-1->cache-1,web-2->db-1} (whitespace ignored; empty: no dependencies). */
    public static Map<String, Set<String>> parse(String spec) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String edge : spec.split(",")) {
            if (edge.isBlank()) {
                continue;
            }
            String[] ends = edge.split("->");
            if (ends.length != 2 || ends[0].isBlank() || ends[1].isBlank()) {
                throw new IllegalArgumentException("dependency '" + edge.trim() + "' is not caller->callee");
            }
            graph.computeIfAbsent(ends[0].trim(), k -> new TreeSet<>()).add(ends[1].trim());
        }
        return graph;
    }

    @Override
    public void open(OpenContext context) {
        latest = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-incidents", String.class, Incident.class));
        published = getRuntimeContext().getMapState(new MapStateDescriptor<>("published-incidents", String.class, Incident.class));
        forgetAt = getRuntimeContext().getMapState(new MapStateDescriptor<>("forget-resolved-at", String.class, Long.class));
    }

    @Override
    public void processBroadcastElement(ControlRecord record, Context ctx, Collector<Incident> out) throws Exception {
        if (record.getKind() == ControlKind.DEPENDENCY && record.getSettingId().startsWith(ControlSettings.DEPENDENCY_PREFIX)) {
            String caller = record.getSettingId().substring(ControlSettings.DEPENDENCY_PREFIX.length());
            ctx.getBroadcastState(DEPENDENCIES).put(caller, String.join(",", ControlSettings.callees(record)));
        }
    }

    @Override
    public void processElement(Incident incident, ReadOnlyContext ctx, Collector<Incident> out) throws Exception {
        RootCauseAnalysis graph = graph(ctx.getBroadcastState(DEPENDENCIES));
        String id = incident.getIncidentId();
        if (incident.getStatus() == IncidentStatus.RESOLVED) {
            Incident last = published.get(id);
            Incident resolved = last == null ? incident : Incident.newBuilder(incident)
                    .setRootCauses(last.getRootCauses()).setLabels(last.getLabels()).setNodes(last.getNodes()).build();
            resolved.setRevision(last == null ? 1 : last.getRevision() + 1);
            out.collect(resolved);
            published.remove(id);
            latest.put(id, incident); // still a suspect for its victims for a while
            long at = ctx.timerService().currentProcessingTime() + overlapMs;
            forgetAt.put(id, at);
            ctx.timerService().registerProcessingTimeTimer(at);
            return;
        }
        latest.put(id, incident);
        publishIfChanged(incident, graph, out);
        // This node's incident may explain incidents already open on nodes that depend on it.
        String node = nodeOf(incident);
        for (Incident other : snapshot()) {
            if (!other.getIncidentId().equals(id) && other.getStatus() != IncidentStatus.RESOLVED
                    && graph.dependencies(nodeOf(other)).contains(node)) {
                publishIfChanged(other, graph, out);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Incident> out) throws Exception {
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Long> e : forgetAt.entries()) {
            if (e.getValue() <= timestamp) {
                expired.add(e.getKey());
            }
        }
        for (String id : expired) {
            forgetAt.remove(id);
            latest.remove(id);
        }
    }

    private void publishIfChanged(Incident incident, RootCauseAnalysis graph, Collector<Incident> out) throws Exception {
        Incident attributed = attribute(incident, graph);
        Incident last = published.get(incident.getIncidentId());
        if (last != null && last.getRootCauses().equals(attributed.getRootCauses()) && last.getSeverity() == attributed.getSeverity()) {
            return;
        }
        attributed.setStatus(last == null ? IncidentStatus.OPEN : IncidentStatus.UPDATED);
        attributed.setRevision(last == null ? 1 : last.getRevision() + 1);
        published.put(incident.getIncidentId(), attributed);
        out.collect(attributed);
    }

    /** The incident with its causes ranked against the open incidents of its node's dependencies. */
    Incident attribute(Incident incident, RootCauseAnalysis graph) throws Exception {
        String node = nodeOf(incident);
        Set<String> dependencies = graph.dependencies(node);
        if (dependencies.isEmpty()) {
            return Incident.newBuilder(incident).build();
        }
        Map<String, Incident> suspects = new HashMap<>();
        for (Incident other : snapshot()) {
            String otherNode = nodeOf(other);
            if (dependencies.contains(otherNode) && other.getOpenedAtMs() <= incident.getUpdatedAtMs() + overlapMs) {
                suspects.merge(otherNode, other, (a, b) -> a.getSeverity() >= b.getSeverity() ? a : b);
            }
        }
        if (suspects.isEmpty()) {
            return Incident.newBuilder(incident).build();
        }
        Map<String, RootCauseAnalysis.Deviation> deviations = new HashMap<>();
        deviations.put(node, deviation(incident));
        suspects.forEach((n, i) -> deviations.put(n, deviation(i)));
        List<RootCauseAnalysis.Candidate> ranked = graph.rank(node, deviations);
        String culprit = ranked.get(0).entity();
        if (culprit.equals(node) || !suspects.containsKey(culprit)) {
            return Incident.newBuilder(incident).build();
        }
        Incident cause = suspects.get(culprit);
        String why = String.format("%s depends on %s, whose incident %s opened %+d ms from this one's; %s", node, culprit,
                cause.getIncidentId(), cause.getOpenedAtMs() - incident.getOpenedAtMs(), ranked.get(0).evidence());
        List<RootCause> causes = new ArrayList<>();
        for (RootCause c : cause.getRootCauses()) {
            List<Evidence> evidence = new ArrayList<>(c.getEvidence());
            evidence.add(new Evidence("dependency", ranked.get(0).score(), why));
            causes.add(RootCause.newBuilder(c).setEvidence(evidence).build());
        }
        for (RootCause c : incident.getRootCauses()) {
            List<Evidence> evidence = new ArrayList<>(c.getEvidence());
            evidence.add(new Evidence("dependency", 0.0, "a symptom: " + culprit + " is the likelier cause"));
            causes.add(RootCause.newBuilder(c).setScore(c.getScore() * VICTIM_CAUSE_WEIGHT).setEvidence(evidence).build());
        }
        TreeSet<String> nodes = new TreeSet<>(incident.getNodes());
        nodes.add(culprit);
        TreeSet<String> metrics = new TreeSet<>(incident.getMetrics());
        metrics.addAll(cause.getMetrics());
        return Incident.newBuilder(incident)
                .setRootCauses(causes)
                .setNodes(new ArrayList<>(nodes))
                .setMetrics(new ArrayList<>(metrics))
                .setSeverity(Math.max(incident.getSeverity(), cause.getSeverity()))
                .setLabels(cause.getLabels())
                .setAttributedTo(cause.getIncidentId())
                .build();
    }

    /**
     * An incident's severity is a calibrated score s in [0,1) (see the detector: s = S / (S + 10), S the surprise in
     * nats); back to a z-like deviation, sqrt(2 S), so the RCA's thresholds read as they do for metrics. Nodes'
     * faulty metrics differ, so there is no common unit: the excess is NaN.
     */
    static RootCauseAnalysis.Deviation deviation(Incident incident) {
        double s = Math.min(incident.getSeverity(), 0.999);
        double z = Math.sqrt(2 * 10 * s / (1 - s));
        RootCause top = incident.getRootCauses().isEmpty() ? null : incident.getRootCauses().get(0);
        return new RootCauseAnalysis.Deviation(z, Double.NaN,
                top == null ? "incident " + incident.getIncidentId() : String.format("%s on %s (severity %.2f)", top.getMetric(), nodeOf(incident), s));
    }

    private RootCauseAnalysis graph(ReadOnlyBroadcastState<String, String> fromControl) throws Exception {
        Map<String, Set<String>> effective = new HashMap<>(configured);
        for (Map.Entry<String, String> e : fromControl.immutableEntries()) {
            effective.put(e.getKey(), e.getValue().isEmpty() ? Set.of() : Set.of(e.getValue().split(",")));
        }
        RootCauseAnalysis rca = new RootCauseAnalysis();
        effective.forEach((caller, callees) -> callees.forEach(callee -> rca.depends(caller, callee)));
        return rca;
    }

    private List<Incident> snapshot() throws Exception {
        List<Incident> all = new ArrayList<>();
        for (Incident i : latest.values()) {
            all.add(i);
        }
        return all;
    }

    /** Step 2 groups per node, so an incident's node is its first (only) node. */
    static String nodeOf(Incident incident) {
        return incident.getNodes().isEmpty() ? "" : incident.getNodes().get(0);
    }
}
