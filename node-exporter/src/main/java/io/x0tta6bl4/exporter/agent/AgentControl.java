package io.x0tta6bl4.exporter.agent;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import io.x0tta6bl4.connectors.command.CommandRejectedException;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.ControlMessages;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.schema.ControlKind;
import io.x0tta6bl4.schema.ControlRecord;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's view of the control topic: the fleet-wide kill switch and the command-signing keys to trust.
 * It reads the compacted topic from its beginning at every start (so a pause survives agent restarts) and
 * then follows it, polling every 100 ms (a pause takes effect well within a second). Only records signed by
 * the pinned root keys count; anything else is ignored and logged.
 */
public final class AgentControl implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentControl.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CommandVerifier rootVerifier;
    private final TrustStore commandKeys;
    private final AvroCodec<ControlRecord> codec = AvroCodec.of(ControlRecord.class);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean paused;
    private volatile boolean running = true;

    private AgentControl(CommandVerifier rootVerifier, TrustStore commandKeys) {
        this.consumer = null;
        this.rootVerifier = rootVerifier;
        this.commandKeys = commandKeys;
    }

    /** A control follower without a consumer, for applying records directly (tests, tools). */
    static AgentControl offline(CommandVerifier rootVerifier, TrustStore commandKeys) {
        return new AgentControl(rootVerifier, commandKeys);
    }

    public AgentControl(KafkaSettings kafka, CommandVerifier rootVerifier, TrustStore commandKeys) {
        Properties props = kafka.consumer("unused");
        props.remove("group.id");
        this.consumer = new KafkaConsumer<>(props);
        this.rootVerifier = rootVerifier;
        this.commandKeys = commandKeys;
        // A freshly created topic may take a moment to appear in the metadata: ask again for a while.
        List<TopicPartition> partitions = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (partitions.isEmpty() && System.nanoTime() < deadline) {
            partitions = consumer.partitionsFor(kafka.topic(Topic.CONTROL), Duration.ofSeconds(5)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("control topic " + kafka.topic(Topic.CONTROL) + " has no partitions");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    public boolean paused() {
        return paused;
    }

    /** Waits until the topic has been read up to where it ended at start-up. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            java.util.Map<TopicPartition, Long> end = null;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    apply(record.value());
                }
                if (caughtUp.getCount() > 0) {
                    try {
                        if (end == null) {
                            end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(5));
                        }
                        java.util.Map<TopicPartition, Long> target = end;
                        if (target.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(5)) >= e.getValue())) {
                            caughtUp.countDown();
                        }
                    } catch (org.apache.kafka.common.errors.TimeoutException slow) {
                        // a busy broker: try again on the next round
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    void apply(byte[] value) {
        ControlRecord record;
        try {
            record = codec.decode(value);
            ControlMessages.verify(record, rootVerifier);
        } catch (UndecodableRecordException | CommandRejectedException e) {
            LOG.warn("ignoring control record: {}", e.getMessage());
            return;
        }
        if (record.getKind() == ControlKind.KILL_SWITCH && record.getSettingId().equals(ControlSettings.KILL_SWITCH)) {
            paused = ControlSettings.paused(record);
            LOG.info("kill switch {} by {}", paused ? "ON: commands refused" : "off", record.getAuthor());
        } else if (record.getKind() == ControlKind.TRUSTED_KEY && record.getSettingId().startsWith(ControlSettings.KEY_PREFIX)) {
            var json = ControlSettings.json(record);
            String keyId = record.getSettingId().substring(ControlSettings.KEY_PREFIX.length());
            if ("retired".equals(json.path("status").asText())) {
                commandKeys.retire(keyId);
                LOG.info("command key {} retired", keyId);
            } else {
                try {
                    SignatureAlgorithm algorithm = SignatureAlgorithm.fromJcaName(json.path("algorithm").asText());
                    byte[] spki = Base64.getDecoder().decode(json.path("publicKey").asText());
                    var key = KeyFactory.getInstance(algorithm.jcaName(), "BC").generatePublic(new X509EncodedKeySpec(spki));
                    commandKeys.trust(algorithm, key);
                    LOG.info("command key {} ({}) trusted", keyId, algorithm.jcaName());
                } catch (Exception e) {
                    LOG.warn("ignoring key announcement {}: {}", keyId, e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
