package io.x0tta6bl4.jobs.diagnose;

import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.common.EventTime;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.JobLauncher;
import io.x0tta6bl4.jobs.common.Pipelines;
import io.x0tta6bl4.schema.ControlRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.Incident;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Analyze (diagnosis): anomaly episodes in, incidents with ranked root causes out.
 *
 * <pre>
 * x0.anomalies.v1 → decode (bad → x0.deadletter.v1) → keyBy(node) → GroupAnomaliesIntoIncidents
 *                 → keyBy(fleet) → AttributeToDependencies → x0.incidents.v1
 * x0.control.v1 → VerifyControl → broadcast (dependency/&lt;caller&gt;) ┘
 * </pre>
 */
public final class DiagnoseJob {
    public static final String NAME = "diagnose";
    static final long GROUPING_WINDOW_MS = 3_000;
    static final long MAX_INCIDENT_AGE_MS = 30 * 60_000;
    /** A dependency's incident may open this long after its victim's and still be blamed (detection lags differ). */
    static final long DEPENDENCY_OVERLAP_MS = 60_000;
    private static final String FLEET = "fleet";

    public record Outputs(DataStream<Incident> incidents, DataStream<DeadLetter> deadLetters) {}

    private DiagnoseJob() {}

    public static Outputs topology(DataStream<RawRecord> anomalies, DataStream<RawRecord> control, JobConfig config) {
        SingleOutputStreamOperator<Anomaly> decoded = Pipelines.decode(anomalies, Anomaly.class, NAME);
        Pipelines.TrustedControl trustedControl = Pipelines.trustedControl(control, config, NAME);
        BroadcastStream<ControlRecord> dependencies = trustedControl.records().broadcast(AttributeToDependencies.DEPENDENCIES);
        DataStream<Incident> perNode = decoded
                .assignTimestampsAndWatermarks(EventTime.watermarks(config, (a, ts) -> a.getEndMs() != null ? a.getEndMs() : a.getStartMs()))
                .name("diagnose: event time").uid("diagnose-watermarks")
                .keyBy(Anomaly::getNodeId)
                .process(new GroupAnomaliesIntoIncidents(GROUPING_WINDOW_MS, MAX_INCIDENT_AGE_MS))
                .name("diagnose: group into incidents").uid("diagnose-group");
        DataStream<Incident> incidents = perNode
                .keyBy(incident -> FLEET)
                .connect(dependencies)
                .process(new AttributeToDependencies(AttributeToDependencies.parse(config.get("diagnose.dependencies")), DEPENDENCY_OVERLAP_MS),
                        TypeInformation.of(Incident.class))
                .name("diagnose: attribute to dependencies").uid("diagnose-attribute");
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetters.TAG).union(trustedControl.deadLetters());
        return new Outputs(incidents, deadLetters);
    }

    public static void addTo(StreamExecutionEnvironment env, JobConfig config) {
        // The dependency records are read whole on every start (like HealJob's control): a fresh submission with
        // start=committed or latest must still know every dependency published before it.
        Outputs out = topology(Pipelines.kafka(env, config, Topic.ANOMALIES, NAME), Pipelines.wholeTopic(env, config, Topic.CONTROL, NAME),
                config);
        out.incidents().sinkTo(KafkaConnectors.sink(config.kafka(), Topic.INCIDENTS, Incident.class, Incident::getIncidentId))
                .name("diagnose: incidents").uid("diagnose-incident-sink");
        Pipelines.sinkDeadLetters(out.deadLetters(), config, NAME);
    }

    public static void main(String[] args) throws Exception {
        JobLauncher.run(args, "x0tta6bl4 DiagnoseJob", "Groups anomalies into incidents and ranks their root causes.", DiagnoseJob::addTo);
    }
}
