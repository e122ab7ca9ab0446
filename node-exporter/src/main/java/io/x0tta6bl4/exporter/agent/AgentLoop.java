package io.x0tta6bl4.exporter.agent;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.schema.CommandResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the command topic (committed records only), hands each command to the agent of the node its key
 * names, and publishes every result. Offsets are committed after results are sent: a crash redelivers,
 * and the replay ledger refuses what already ran. One loop can serve one node (the daemon) or many (the
 * simulated fleet).
 */
public final class AgentLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String resultsTopic;
    private final Function<String, CommandAgent> agentForKey;
    private final Consumer<CommandResult> onResult;
    private final AvroCodec<CommandResult> resultCodec = AvroCodec.of(CommandResult.class);
    private volatile boolean running = true;

    public AgentLoop(KafkaSettings kafka, String groupId, Function<String, CommandAgent> agentForKey, Consumer<CommandResult> onResult) {
        this.consumer = new KafkaConsumer<>(kafka.consumer(groupId));
        this.producer = new KafkaProducer<>(kafka.lowLatencyProducer(groupId));
        this.resultsTopic = kafka.topic(Topic.RESULTS);
        this.agentForKey = agentForKey;
        this.onResult = onResult;
        consumer.subscribe(List.of(kafka.topic(Topic.COMMANDS)));
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
                    CommandAgent agent = agentForKey.apply(key);
                    if (agent == null) {
                        continue; // another node's command
                    }
                    CommandResult result = agent.handle(record.value());
                    producer.send(new ProducerRecord<>(resultsTopic, agent.nodeId().getBytes(StandardCharsets.UTF_8),
                            resultCodec.encode(result)));
                    onResult.accept(result);
                }
                producer.flush();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("agent loop stopped", e);
            throw e;
        } finally {
            consumer.close();
            producer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
