package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.common.EventTime;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.JobLauncher;
import io.x0tta6bl4.jobs.common.Pipelines;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.NodeInfo;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Analyze (detection): telemetry in, anomaly episodes out.
 *
 * <pre>x0.telemetry.v1 → event time → keyBy(record key = node) → ScoreNodeSeries: decode (bad → x0.deadletter.v1),
 *   score every series of the node → x0.anomalies.v1
 *                                 └→ (same key, chained) TrackNodeInventory → x0.inventory.v1</pre>
 */
public final class DetectJob {
    public static final String NAME = "detect";

    /** The job's outputs: anomalies and the dead letters of its input. */
    public record Outputs(DataStream<Anomaly> anomalies, DataStream<NodeInfo> inventory, DataStream<DeadLetter> deadLetters) {}

    /** A node's inventory record is repeated this often (event time), and a node silent this long is forgotten. */
    static final long INVENTORY_HEARTBEAT_MS = 60_000;
    static final long INVENTORY_IDLE_MS = 10 * 60_000;

    private DetectJob() {}

    /** The topology, independent of where records come from and go to. */
    public static Outputs topology(DataStream<RawRecord> telemetry, JobConfig config, DetectorSettings settings) {
        // Event time from the record timestamp, which the exporter sets to the batch's sample time.
        DataStream<RawRecord> timed = telemetry
                .assignTimestampsAndWatermarks(EventTime.watermarks(config, (raw, ts) -> raw.timestamp))
                .name("detect: event time").uid("detect-watermarks");
        SingleOutputStreamOperator<Anomaly> anomalies = timed
                .keyBy(DetectJob::nodeKey)
                .process(new ScoreNodeSeries(settings, config.get("detect.node-model").equals("true")
                        ? io.x0tta6bl4.jobs.detect.node.NodeModelSettings.enabledDefaults()
                        : io.x0tta6bl4.jobs.detect.node.NodeModelSettings.disabled()))
                .name("detect: score series").uid("detect-score");
        DataStream<NodeInfo> inventory = DataStreamUtils
                .reinterpretAsKeyedStream(anomalies.getSideOutput(ScoreNodeSeries.SEEN), seen -> seen.nodeId, Types.STRING)
                .process(new TrackNodeInventory(INVENTORY_HEARTBEAT_MS, INVENTORY_IDLE_MS), TypeInformation.of(NodeInfo.class))
                .name("detect: track inventory").uid("detect-inventory");
        return new Outputs(anomalies, inventory, anomalies.getSideOutput(DeadLetters.TAG));
    }

    /**
     * The job's hottest path passes one record through several chained operators: with object reuse they hand the
     * record on instead of copying it. Safe here: no function of this job keeps an input record after its call.
     */
    public static void tune(StreamExecutionEnvironment env) {
        env.getConfig().enableObjectReuse();
    }

    /** Telemetry is keyed by node id (the exporter's record key); a keyless record gets "" and is refused by the scorer. */
    public static String nodeKey(RawRecord raw) {
        return raw.key == null ? "" : new String(raw.key, StandardCharsets.UTF_8);
    }

    /** The detector settings: the defaults with {@code detect.settings} ("name=value,...") applied; a bad one fails the submission. */
    public static DetectorSettings settings(JobConfig config) {
        java.util.Map<String, String> overrides = new java.util.HashMap<>();
        for (String pair : config.get("detect.settings").split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("detect.settings: expected name=value, got '" + pair.trim() + "'");
            }
            overrides.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return DetectorSettings.defaults().with(overrides);
    }

    /** Adds the job, wired to Kafka, to an environment. */
    public static void addTo(StreamExecutionEnvironment env, JobConfig config) {
        tune(env);
        DataStream<RawRecord> telemetry = Pipelines.kafka(env, config, Topic.TELEMETRY, NAME);
        sinkTo(topology(telemetry, config, settings(config)), config);
    }

    /** The job's outputs to their Kafka topics (anomalies, inventory, dead letters). */
    public static void sinkTo(Outputs out, JobConfig config) {
        out.anomalies().sinkTo(KafkaConnectors.sink(config.kafka(), Topic.ANOMALIES, Anomaly.class, Anomaly::getNodeId))
                .name("detect: anomalies").uid("detect-anomaly-sink");
        out.inventory().sinkTo(KafkaConnectors.sink(config.kafka(), Topic.INVENTORY, NodeInfo.class, NodeInfo::getNodeId))
                .name("detect: inventory").uid("detect-inventory-sink");
        Pipelines.sinkDeadLetters(out.deadLetters(), config, NAME);
    }

    public static void main(String[] args) throws Exception {
        JobLauncher.run(args, "x0tta6bl4 DetectJob", "Scores every telemetry series and publishes anomaly episodes.", DetectJob::addTo);
    }
}
