package io.x0tta6bl4.jobs.heal;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.InJvmKafka;
import io.x0tta6bl4.jobs.KafkaTopics;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.Pipelines;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HealJob is killed mid-stream and restarts from its last checkpoint: every incident still yields exactly one
 * committed command — none lost, none duplicated — because commands are written in Kafka transactions that
 * commit with Flink checkpoints (and consumers read committed records only).
 */
class HealJobExactlyOnceITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final int INCIDENTS = 40;
    static final int FAIL_AT = 28;
    static final AtomicInteger PASSED = new AtomicInteger();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Throws once, when the FAIL_AT-th command passes, as a crashed task manager would. */
    static final class CrashOnce implements MapFunction<SignedCommand, SignedCommand> {
        @Override
        public SignedCommand map(SignedCommand value) {
            if (PASSED.incrementAndGet() >= FAIL_AT && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("simulated crash in the middle of the stream");
            }
            return value;
        }
    }

    static byte[] incident(int i) {
        return AvroCodec.of(Incident.class).encode(Incident.newBuilder(PlanRemediationHarnessTest.incident("inc-" + i, 1,
                io.x0tta6bl4.schema.IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.8))
                .setRootCauses(List.of(io.x0tta6bl4.schema.RootCause.newBuilder().setNodeId(String.format("n%02d", i))
                        .setMetric("cpu_usage_ratio").setKind("cpu_saturation").setScore(0.9).build())).build());
    }

    @Test
    void noCommandLostNoneDuplicatedAcrossACrash(@TempDir Path keys) throws Exception {
        CommandKeys.generateKeySet(keys);
        try (InJvmKafka broker = InJvmKafka.start()) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "eo-it-");
            TopicAdmin.ensureTopics(kafka, (short) 1);
            List<byte[]> first = new ArrayList<>();
            List<byte[]> second = new ArrayList<>();
            for (int i = 0; i < INCIDENTS; i++) {
                (i < INCIDENTS / 2 ? first : second).add(incident(i));
            }
            KafkaTopics.produce(kafka, kafka.topic(Topic.INCIDENTS), first, "k");

            JobConfig config = JobConfig.defaults().with("kafka.bootstrap", kafka.bootstrapServers())
                    .with("topic.prefix", kafka.topicPrefix()).with("start", "earliest").with("checkpoint.interval.ms", "200")
                    .with("keys.dir", keys.toString()).with("blast.radius.max.nodes", "100");
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            Pipelines.configure(env, config);
            HealJob.Outputs out = HealJob.topology(Pipelines.kafka(env, config, Topic.INCIDENTS, "eo"),
                    Pipelines.kafka(env, config, Topic.RESULTS, "eo"), Pipelines.kafka(env, config, Topic.CONTROL, "eo"),
                    Pipelines.kafka(env, config, Topic.INVENTORY, "eo"), config,
                    Playbook.builtIn());
            out.commands().map(new CrashOnce()).name("crash once")
                    .sinkTo(KafkaConnectors.exactlyOnceSink(kafka, Topic.COMMANDS, SignedCommand.class, SignedCommand::getTargetNodeId, "eo-it"));
            JobClient job = env.executeAsync("heal-exactly-once");
            try {
                // Half of the commands committed before the rest of the incidents arrive and the job crashes.
                KafkaTopics.readUntil(kafka, kafka.topic(Topic.COMMANDS), Duration.ofSeconds(90), r -> r.size() >= INCIDENTS / 2);
                KafkaTopics.produce(kafka, kafka.topic(Topic.INCIDENTS), second, "k");
                KafkaTopics.readUntil(kafka, kafka.topic(Topic.COMMANDS), Duration.ofSeconds(120), r -> distinct(r).size() >= INCIDENTS);
            } finally {
                job.cancel().get();
            }
            assertThat(FAILED).as("the job crashed once").isTrue();
            // After the job is gone, everything committed is final: read it all.
            List<ConsumerRecord<byte[], byte[]>> all = KafkaTopics.readUntil(kafka, kafka.topic(Topic.COMMANDS), Duration.ofSeconds(5),
                    r -> false);
            assertThat(distinct(all)).hasSize(INCIDENTS);
            assertThat(all).as("no command written twice").hasSize(INCIDENTS);
        }
    }

    static Set<String> distinct(List<ConsumerRecord<byte[], byte[]>> records) {
        AvroCodec<SignedCommand> codec = AvroCodec.of(SignedCommand.class);
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                ids.add(codec.decode(r.value()).getCommandId());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return ids;
    }
}
