package io.x0tta6bl4.jobs;

import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Test helpers to write raw records to a topic and read a topic until a condition holds (bounded in time). */
public final class KafkaTopics {
    private KafkaTopics() {}

    public static void produce(KafkaSettings kafka, String topic, List<byte[]> values, String key) {
        produce(kafka, topic, values, key, null);
    }

    /**
     * Writes {@code values} under {@code key}, the i-th with record timestamp {@code timestamps.get(i)} as the exporter
     * sets it (the batch's sample time: DetectJob's event time); null: the producer's clock.
     */
    public static void produce(KafkaSettings kafka, String topic, List<byte[]> values, String key, List<Long> timestamps) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("test-producer"))) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, null, timestamps == null ? null : timestamps.get(i),
                        key.getBytes(StandardCharsets.UTF_8), values.get(i)));
            }
            producer.flush();
        }
    }

    /**
     * Reads the topic from the start until {@code done} accepts what was read, or the timeout passes. Its partitions are
     * assigned and read from their beginning, not joined as a consumer group: a group needs its coordinator, and a CI
     * run once read nothing from the anomalies topic for 90 s while the job checkpointed normally.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(KafkaSettings kafka, String topic, Duration timeout,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumer("test-reader-" + System.nanoTime()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
