package io.x0tta6bl4.connectors.flink;

import io.x0tta6bl4.connectors.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes Avro records single-object encoded, keyed as the topic's contract says. */
public final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    /** Picks the Kafka key of a record (serializable, so it travels with the job). */
    @FunctionalInterface
    public interface KeyOf<T> extends Function, java.io.Serializable {
        String keyOf(T record);
    }

    private final String topic;
    private final AvroCodec<T> codec;
    private final KeyOf<T> keyOf;

    public AvroRecordSerializer(String topic, AvroCodec<T> codec, KeyOf<T> keyOf) {
        this.topic = topic;
        this.codec = codec;
        this.keyOf = keyOf;
    }

    /** Names the one topic written: lineage, and what the pooling transaction strategy needs to know. */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        byte[] key = keyOf.keyOf(element).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, key, codec.encode(element));
    }
}
