package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.InJvmKafka;
import io.x0tta6bl4.jobs.KafkaTopics;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.Pipelines;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DetectJob on a real Kafka broker and a Flink MiniCluster: bad records go to the dead-letter topic while good ones are
 * scored; a node that stops sending is reported silent, on the event time the rest of the fleet moves.
 */
class DetectJobITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static InJvmKafka broker;
    static KafkaSettings kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        broker = InJvmKafka.start();
        kafka = new KafkaSettings(broker.bootstrapServers(), "detect-it-");
        TopicAdmin.ensureTopics(kafka, (short) 1);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        broker.close();
    }

    static byte[] batch(AvroCodec<TelemetryBatch> codec, long start, int i, double cpu) {
        return codec.encode(TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(start + i * 1000L).setSequence(i)
                .setSamples(List.of(new MetricSample("cpu_usage_ratio", Map.of(), cpu + (i % 3) * 0.004, MetricKind.GAUGE)))
                .build());
    }

    static JobClient startDetectJob(KafkaSettings kafka, String name) throws Exception {
        JobConfig config = JobConfig.defaults()
                .with("kafka.bootstrap", kafka.bootstrapServers()).with("topic.prefix", kafka.topicPrefix())
                .with("start", "earliest").with("checkpoint.interval.ms", "500");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Pipelines.configure(env, config);
        DetectJob.addTo(env, config);
        return env.executeAsync(name);
    }

    @Test
    void badRecordsAreDeadLetteredWithAReasonWhileGoodRecordsAreScored() throws Exception {
        AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class);
        List<byte[]> records = new ArrayList<>();
        List<Long> times = new ArrayList<>(); // the batch's time, as the exporter stamps it; a bad record gets its neighbour's
        long start = System.currentTimeMillis() - 600_000;
        byte[] random = new byte[100];
        new Random(7).nextBytes(random);
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Rogue\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}");
        GenericRecord rogue = new GenericData.Record(other);
        rogue.put("x", 1L);
        for (int i = 0; i < 50; i++) {
            records.add(batch(codec, start, i, i < 40 ? 0.2 : 0.95));
            times.add(start + i * 1000L);
            if (i == 5) {
                records.add(random);
            } else if (i == 10) {
                byte[] good = batch(codec, start, 1000, 0.2);
                records.add(Arrays.copyOf(good, good.length / 2));
            } else if (i == 15) {
                records.add(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), other).encode(rogue).array());
            }
            while (times.size() < records.size()) {
                times.add(start + i * 1000L);
            }
        }
        KafkaTopics.produce(kafka, kafka.topic(Topic.TELEMETRY), records, "n1", times);

        JobClient job = startDetectJob(kafka, "detect-it");
        try {
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTopics.readUntil(kafka, kafka.topic(Topic.DEADLETTER),
                    Duration.ofSeconds(90), r -> r.size() >= 3);
            List<ConsumerRecord<byte[], byte[]>> anomalies = KafkaTopics.readUntil(kafka, kafka.topic(Topic.ANOMALIES),
                    Duration.ofSeconds(90), r -> !r.isEmpty());

            AvroCodec<DeadLetter> deadCodec = AvroCodec.of(DeadLetter.class);
            List<DeadLetter> letters = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                letters.add(deadCodec.decode(r.value()));
            }
            assertThat(letters).hasSize(3);
            assertThat(letters).extracting(DeadLetter::getReason).anySatisfy(r -> assertThat(r).contains("not an Avro single-object record"))
                    .anySatisfy(r -> assertThat(r).contains("corrupt or truncated"))
                    .anySatisfy(r -> assertThat(r).contains("unknown schema"));
            assertThat(letters).allSatisfy(l -> {
                assertThat(l.getStage()).isEqualTo("detect");
                assertThat(l.getSourceTopic()).isEqualTo(kafka.topic(Topic.TELEMETRY));
                assertThat(l.getPayload().remaining()).isPositive();
            });
            assertThat(letters.get(0).getPayload()).isEqualTo(java.nio.ByteBuffer.wrap(random));

            Anomaly anomaly = AvroCodec.of(Anomaly.class).decode(anomalies.get(0).value());
            assertThat(anomaly.getPhase()).isEqualTo(AnomalyPhase.STARTED);
            assertThat(anomaly.getMetric()).isEqualTo("cpu_usage_ratio");
            assertThat(anomaly.getStartMs()).isEqualTo(start + 40_000L);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aNodeThatStopsSendingIsReportedSilentWhileTheOthersKeepEventTimeMoving() throws Exception {
        KafkaSettings fleet = new KafkaSettings(broker.bootstrapServers(), "detect-it-silence-");
        TopicAdmin.ensureTopics(fleet, (short) 1);
        AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class);
        // n1 sends every second for 30 s and stops; n2 goes on to 150 s, which moves event time past n1's minute. Records
        // are stamped with their batch's time, as the exporter does, starting a minute ago: live telemetry (a job more
        // than a threshold behind the wall clock is catching up, and judges no node's silence).
        long start = System.currentTimeMillis() - 60_000;
        for (String node : List.of("n1", "n2")) {
            List<byte[]> batches = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (int i = 0; i <= (node.equals("n1") ? 30 : 150); i++) {
                times.add(start + i * 1000L);
                batches.add(codec.encode(TelemetryBatch.newBuilder().setNodeId(node).setTimestampMs(start + i * 1000L).setSequence(i)
                        .setSamples(List.of(new MetricSample("cpu_usage_ratio", Map.of(), 0.2 + (i % 3) * 0.004, MetricKind.GAUGE))).build()));
            }
            KafkaTopics.produce(fleet, fleet.topic(Topic.TELEMETRY), batches, node, times);
        }

        JobClient job = startDetectJob(fleet, "detect-it-silence");
        try {
            AvroCodec<Anomaly> anomalies = AvroCodec.of(Anomaly.class);
            List<ConsumerRecord<byte[], byte[]>> out = KafkaTopics.readUntil(fleet, fleet.topic(Topic.ANOMALIES), Duration.ofSeconds(90),
                    r -> !r.isEmpty());
            Anomaly silent = anomalies.decode(out.get(0).value());
            assertThat(silent.getNodeId()).isEqualTo("n1");
            assertThat(silent.getMetric()).isEqualTo(ScoreNodeSeries.NODE_SILENT_METRIC);
            assertThat(silent.getPhase()).isEqualTo(AnomalyPhase.STARTED);
            assertThat(silent.getStartMs()).as("silent since its last batch").isEqualTo(start + 30_000L);
            assertThat(out).as("n2 sends on; both steady").hasSize(1);
        } finally {
            job.cancel().get();
        }
    }
}
