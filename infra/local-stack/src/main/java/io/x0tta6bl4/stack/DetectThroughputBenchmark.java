package io.x0tta6bl4.stack;

import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.KafkaBroker;
import io.x0tta6bl4.exporter.TelemetryPublisher;
import io.x0tta6bl4.exporter.collect.Samples;
import io.x0tta6bl4.exporter.sim.SimulatedNode;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.Pipelines;
import io.x0tta6bl4.jobs.detect.DetectJob;
import io.x0tta6bl4.jobs.detect.DetectorSettings;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.NodeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code x0 bench detect-throughput}: DetectJob end to end (decode, split, score every series, anomalies and
 * inventory back to Kafka) against a Kafka-to-Kafka passthrough of the very same telemetry records, one after
 * the other in one run on one broker, each a bounded job at the same parallelism. The figure is the ratio of
 * their record rates (target: DetectJob at >= 70% of the passthrough).
 */
@Command(name = "detect-throughput", mixinStandardHelpOptions = true,
        description = "DetectJob end to end vs a Kafka->Kafka passthrough of the same records, in one run.")
final class DetectThroughputBenchmark implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "500", description = "simulated nodes (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--ticks", defaultValue = "400", description = "batches per node (default ${DEFAULT-VALUE})")
    int ticks;

    @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism, both jobs (default ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--detect-settings", defaultValue = "", description = "detector settings for DetectJob, e.g. noveltyWeight=0 (default: the defaults)")
    String detectSettings;

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("x0-bench-detect-");
        System.out.println("starting Kafka broker ...");
        try (KafkaBroker broker = KafkaBroker.start(data.resolve("kafka"), 0, Duration.ofSeconds(90))) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "");
            TopicAdmin.ensureTopics(kafka, (short) 1);
            long samples = prefill(kafka);
            long records = (long) nodes * ticks;
            JobConfig config = JobConfig.defaults().with("kafka.bootstrap", kafka.bootstrapServers()).with("checkpoint.interval.ms", "0")
                    .with("parallelism", Integer.toString(parallelism)).with("detect.settings", detectSettings);

            System.out.println("passthrough: telemetry -> Kafka, bytes untouched ...");
            StreamExecutionEnvironment passEnv = StreamExecutionEnvironment.getExecutionEnvironment();
            Pipelines.configure(passEnv, config);
            passEnv.getConfig().enableObjectReuse(); // the same advantage for the baseline
            String passTopic = kafka.topic(Topic.TELEMETRY) + ".passthrough";
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(passTopic, Topic.TELEMETRY.partitions(), (short) 1)))
                        .all().get();
            }
            telemetry(passEnv, kafka, "bench-pass").sinkTo(rawSink(kafka, passTopic)).name("passthrough sink");
            JobExecutionResult pass = passEnv.execute("passthrough");

            System.out.println("DetectJob: telemetry -> anomalies, inventory ...");
            StreamExecutionEnvironment detectEnv = StreamExecutionEnvironment.getExecutionEnvironment();
            Pipelines.configure(detectEnv, config);
            DetectJob.tune(detectEnv);
            DetectJob.Outputs out = DetectJob.topology(telemetry(detectEnv, kafka, "bench-detect"), config, DetectJob.settings(config));
            out.anomalies().sinkTo(KafkaConnectors.sink(kafka, Topic.ANOMALIES, Anomaly.class, Anomaly::getNodeId));
            out.inventory().sinkTo(KafkaConnectors.sink(kafka, Topic.INVENTORY, NodeInfo.class, NodeInfo::getNodeId));
            out.deadLetters().sinkTo(KafkaConnectors.sink(kafka, Topic.DEADLETTER, io.x0tta6bl4.schema.DeadLetter.class,
                    io.x0tta6bl4.schema.DeadLetter::getSourceTopic));
            JobExecutionResult detect = detectEnv.execute("detect");

            double passRate = records * 1000.0 / pass.getNetRuntime();
            double detectRate = records * 1000.0 / detect.getNetRuntime();
            double ratio = detectRate / passRate;
            System.out.printf(Locale.ROOT, "%d telemetry batches (%d samples), parallelism %d on %d cores%n", records, samples, parallelism,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "passthrough  %8.0f batches/s  (%.1f s)%n", passRate, pass.getNetRuntime() / 1000.0);
            System.out.printf(Locale.ROOT, "DetectJob    %8.0f batches/s  (%.1f s, %.0f samples/s)%n", detectRate, detect.getNetRuntime() / 1000.0,
                    samples * 1000.0 / detect.getNetRuntime());
            System.out.printf(Locale.ROOT, "DetectJob at %.0f%% of the passthrough   target >= 70%%   %s%n", 100 * ratio, ratio >= 0.7 ? "MET" : "NOT MET");
        }
        return 0;
    }

    private static DataStream<RawRecord> telemetry(StreamExecutionEnvironment env, KafkaSettings kafka, String group) {
        return env.fromSource(KafkaConnectors.boundedSource(kafka, Topic.TELEMETRY, group), WatermarkStrategy.noWatermarks(), "telemetry");
    }

    private static KafkaSink<RawRecord> rawSink(KafkaSettings kafka, String topic) {
        return KafkaSink.<RawRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(kafka.producer("bench-pass"))
                .setRecordSerializer((KafkaRecordSerializationSchema<RawRecord>) (r, context, ts) -> new ProducerRecord<>(topic, r.key, r.value))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Writes every node's batches, a second apart, as the exporter would; returns the number of samples. */
    private long prefill(KafkaSettings kafka) {
        System.out.printf("writing %d telemetry batches (%d nodes x %d) ...%n", (long) nodes * ticks, nodes, ticks);
        List<SimulatedNode> fleet = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            fleet.add(new SimulatedNode(String.format("node-%04d", n), Map.of("role", "r" + (n % 5)), n));
        }
        long samples = 0;
        long t0 = System.currentTimeMillis() - ticks * 1000L;
        try (TelemetryPublisher publisher = new TelemetryPublisher(kafka, "bench-prefill")) {
            for (int t = 0; t < ticks; t++) {
                for (SimulatedNode node : fleet) {
                    Samples s = new Samples();
                    node.sample(s, t0 + t * 1000L);
                    samples += s.size();
                    publisher.publish(node.nodeId(), node.labels(), t, t0 + t * 1000L, s.list());
                }
            }
        }
        return samples;
    }
}
