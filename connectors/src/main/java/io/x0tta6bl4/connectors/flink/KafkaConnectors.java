package io.x0tta6bl4.connectors.flink;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka sources and sinks for the topic catalogue, with the project's defaults. Every source yields
 * {@link RawRecord}s (decode with {@link DecodeOrDeadLetter}); every sink takes Avro records.
 */
public final class KafkaConnectors {
    /** Kafka brokers cap transactions at 15 minutes by default; stay well below. */
    static final int TRANSACTION_TIMEOUT_MS = 5 * 60 * 1000;

    private KafkaConnectors() {}

    public static KafkaSource<RawRecord> source(KafkaSettings kafka, Topic topic, String groupId, OffsetsInitializer start) {
        return source(kafka, List.of(topic), groupId, start);
    }

    /** One source over several topics; {@link RawRecord#topic} tells them apart. */
    public static KafkaSource<RawRecord> source(KafkaSettings kafka, List<Topic> topics, String groupId, OffsetsInitializer start) {
        return builder(kafka, topics, groupId, start).build();
    }

    /** A bounded source: a topic from its start to the offsets it had when the job started (benchmarks, backfills). */
    public static KafkaSource<RawRecord> boundedSource(KafkaSettings kafka, Topic topic, String groupId) {
        return builder(kafka, List.of(topic), groupId, OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest()).build();
    }

    private static org.apache.flink.connector.kafka.source.KafkaSourceBuilder<RawRecord> builder(KafkaSettings kafka, List<Topic> topics,
            String groupId, OffsetsInitializer start) {
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("a consumer group id is required for " + topics);
        }
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a source needs at least one topic");
        }
        Properties props = new Properties();
        props.put("isolation.level", "read_committed");
        props.put("partition.discovery.interval.ms", "60000");
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(topics.stream().map(kafka::topic).toList())
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperties(props);
    }

    /**
     * An at-least-once sink with throughput batching: for records whose consumers are idempotent
     * (telemetry, anomalies, incidents and dead letters all carry ids).
     */
    public static <T extends SpecificRecord> KafkaSink<T> sink(KafkaSettings kafka, Topic topic, Class<T> type,
            AvroRecordSerializer.KeyOf<T> keyOf) {
        checkType(topic, type);
        Properties props = kafka.producer("x0-" + topic.kind());
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new AvroRecordSerializer<>(kafka.topic(topic), AvroCodec.of(type), keyOf))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * An exactly-once sink (Kafka transactions committed on Flink checkpoints): for commands, where a
     * duplicate is an action run twice. Needs checkpointing on; consumers must read committed.
     */
    public static <T extends SpecificRecord> KafkaSink<T> exactlyOnceSink(KafkaSettings kafka, Topic topic, Class<T> type,
            AvroRecordSerializer.KeyOf<T> keyOf, String transactionalIdPrefix) {
        checkType(topic, type);
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            throw new IllegalArgumentException("an exactly-once sink needs a transactional id prefix unique to the job");
        }
        Properties props = kafka.lowLatencyProducer("x0-" + topic.kind() + "-eo");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(TRANSACTION_TIMEOUT_MS));
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new AvroRecordSerializer<>(kafka.topic(topic), AvroCodec.of(type), keyOf))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // Reuse transactional producers across checkpoints instead of creating (and initialising) one per
                // checkpoint: the creation stalled writes for hundreds of milliseconds at every checkpoint.
                .setTransactionNamingStrategy(org.apache.flink.connector.kafka.sink.TransactionNamingStrategy.POOLING)
                .build();
    }

    private static void checkType(Topic topic, Class<?> type) {
        if (!topic.recordType().equals(type)) {
            throw new IllegalArgumentException(topic.baseName() + " carries " + topic.recordType().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
    }
}
