package io.x0tta6bl4.exporter;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends telemetry batches to x0.telemetry.v1, keyed by node id, and counts what it sent and what failed. */
public final class TelemetryPublisher implements TelemetrySink, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public TelemetryPublisher(KafkaSettings kafka, String clientId) {
        this.producer = new KafkaProducer<>(kafka.producer(clientId));
        this.topic = kafka.topic(Topic.TELEMETRY);
    }

    @Override
    public void publish(String nodeId, Map<String, String> nodeLabels, long sequence, long timestampMs, List<MetricSample> samples) {
        TelemetryBatch batch = TelemetryBatch.newBuilder()
                .setNodeId(nodeId)
                .setTimestampMs(timestampMs)
                .setSequence(sequence)
                .setNodeLabels(nodeLabels)
                .setSamples(samples)
                .build();
        // synchronized: Avro's encoder reuses its buffer, and several threads may publish
        byte[] value;
        synchronized (codec) {
            value = codec.encode(batch);
        }
        producer.send(new ProducerRecord<>(topic, null, timestampMs, nodeId.getBytes(StandardCharsets.UTF_8), value),
                (metadata, error) -> (error == null ? sent : failed).incrementAndGet());
    }

    @Override
    public long sent() {
        return sent.get();
    }

    @Override
    public long failed() {
        return failed.get();
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
