package io.x0tta6bl4.connectors.kafka;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.command.ControlMessages;
import io.x0tta6bl4.schema.ControlRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Signs control records with the root keys and publishes them to the compacted control topic, keyed by setting id. */
public final class ControlPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final CommandSigner rootSigner;
    private final AvroCodec<ControlRecord> codec = AvroCodec.of(ControlRecord.class);

    public ControlPublisher(KafkaSettings kafka, CommandSigner rootSigner) {
        this.producer = new KafkaProducer<>(kafka.lowLatencyProducer("x0-control"));
        this.topic = kafka.topic(Topic.CONTROL);
        this.rootSigner = rootSigner;
    }

    /** Publishes and waits for the broker's acknowledgement. */
    public synchronized void publish(ControlRecord record) throws ExecutionException, InterruptedException, TimeoutException {
        ControlRecord signed = ControlMessages.sign(record, rootSigner);
        producer.send(new ProducerRecord<>(topic, record.getSettingId().getBytes(StandardCharsets.UTF_8), codec.encode(signed)))
                .get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
