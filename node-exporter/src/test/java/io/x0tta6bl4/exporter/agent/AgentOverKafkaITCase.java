package io.x0tta6bl4.exporter.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.ControlPublisher;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.InJvmKafka;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent loop on a real broker: commands in through x0.commands.v1, results out through
 * x0.results.v1, the control topic followed for the kill switch and key retirement, and the replay ledger
 * surviving an agent restart.
 */
class AgentOverKafkaITCase {
    static InJvmKafka broker;
    static KafkaSettings kafka;
    static KeyPair mldsa;
    static KeyPair ed;
    static CommandSigner signer;
    static CommandSigner rootSigner;
    static TrustStore rootKeys;

    @BeforeAll
    static void start() throws Exception {
        broker = InJvmKafka.start();
        kafka = new KafkaSettings(broker.bootstrapServers(), "agent-it-");
        TopicAdmin.ensureTopics(kafka, (short) 1);
        mldsa = CommandKeys.generate(SignatureAlgorithm.ML_DSA_65);
        ed = CommandKeys.generate(SignatureAlgorithm.ED25519);
        signer = CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, mldsa, SignatureAlgorithm.ED25519, ed));
        KeyPair rootMl = CommandKeys.generate(SignatureAlgorithm.ML_DSA_65);
        KeyPair rootEd = CommandKeys.generate(SignatureAlgorithm.ED25519);
        rootSigner = CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, rootMl, SignatureAlgorithm.ED25519, rootEd));
        rootKeys = new TrustStore().trust(SignatureAlgorithm.ML_DSA_65, rootMl.getPublic()).trust(SignatureAlgorithm.ED25519, rootEd.getPublic());
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    /** One running agent for node-1: control follower, command loop, and what it reported. */
    static final class RunningAgent implements AutoCloseable {
        final AtomicInteger runs = new AtomicInteger();
        final LinkedBlockingQueue<CommandResult> results = new LinkedBlockingQueue<>();
        final AgentControl control;
        final AgentLoop loop;
        final Thread controlThread;
        final Thread loopThread;

        RunningAgent(TrustStore commandKeys, SeenCommands ledger, String group) throws Exception {
            this(kafka, commandKeys, ledger, group, Clock.systemUTC());
        }

        RunningAgent(KafkaSettings kafka, TrustStore commandKeys, SeenCommands ledger, String group, Clock clock) throws Exception {
            control = new AgentControl(kafka, CommandVerifier.hybrid(rootKeys), commandKeys);
            controlThread = new Thread(control);
            controlThread.start();
            assertThat(control.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            ActionExecutor counting = new ActionExecutor() {
                public String action() { return "service.restart"; }

                public Outcome execute(Map<String, String> params, boolean dryRun) {
                    runs.incrementAndGet();
                    return Outcome.ok("restarted");
                }
            };
            CommandAgent agent = new CommandAgent("node-1", CommandVerifier.hybrid(commandKeys), AgentPolicy.builtIn(),
                    new Executors().register(counting), ledger, clock, Duration.ofSeconds(30), Duration.ofSeconds(5), false,
                    control::paused);
            loop = new AgentLoop(kafka, group, key -> key.equals("node-1") ? agent : null, results::add);
            loopThread = new Thread(loop);
            loopThread.start();
        }

        CommandResult next() throws InterruptedException {
            CommandResult r = results.poll(30, TimeUnit.SECONDS);
            assertThat(r).as("a result within 30 s").isNotNull();
            return r;
        }

        @Override
        public void close() throws Exception {
            loop.close();
            control.close();
            loopThread.join(10_000);
            controlThread.join(10_000);
        }
    }

    static CommandBody body(String id) {
        long now = System.currentTimeMillis();
        return CommandBody.newBuilder().setCommandId(id).setIncidentId("inc").setTargetNodeId("node-1").setAction("service.restart")
                .setParameters(List.of(new CommandParameter("unit", "app.service"))).setIssuedAtMs(now).setExpiresAtMs(now + 60_000)
                .setNonce("n").setPolicyVersion("1").build();
    }

    static void send(SignedCommand command) throws Exception {
        send(AvroCodec.of(SignedCommand.class).encode(command));
    }

    static void send(byte[] value) throws Exception {
        send(kafka, value);
    }

    static void send(KafkaSettings kafka, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.lowLatencyProducer("test"))) {
            p.send(new ProducerRecord<>(kafka.topic(Topic.COMMANDS), "node-1".getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    /** The unit suite's table of bad commands, this time through the broker to the running agent loop. */
    @Test
    void everyBadCommandOfTheTableIsRefusedOverTheBrokerWithItsReason() throws Exception {
        List<org.junit.jupiter.params.provider.Arguments> table = CommandAgentTest.badCommands().toList();
        CommandAgentTest.keys();
        TrustStore keys = CommandAgentTest.trust;
        KafkaSettings own = new KafkaSettings(broker.bootstrapServers(), "agent-table-"); // topics of its own
        TopicAdmin.ensureTopics(own, (short) 1);
        try (RunningAgent agent = new RunningAgent(own, keys, SeenCommands.inMemory(), "table", CommandAgentTest.CLOCK)) {
            // Results come back in the order sent: one key, one partition, one agent loop.
            for (org.junit.jupiter.params.provider.Arguments row : table) {
                Object[] args = row.get();
                @SuppressWarnings("unchecked")
                java.util.function.Function<Void, byte[]> command = (java.util.function.Function<Void, byte[]>) args[1];
                send(own, command.apply(null));
            }
            List<String> ours = new java.util.ArrayList<>();
            while (ours.size() < table.size()) {
                ours.add(agent.next().getReason());
            }
            for (int i = 0; i < table.size(); i++) {
                Object[] args = table.get(i).get();
                assertThat(ours.get(i)).as((String) args[0]).startsWith((String) args[2]);
            }
            assertThat(agent.runs).hasValue(0);
        }
    }

    @Test
    void keysRotateAnnouncesTheNewKeysAndAgentsTrustThem(@TempDir Path dir) throws Exception {
        KafkaSettings own = new KafkaSettings(broker.bootstrapServers(), "agent-rotate-");
        TopicAdmin.ensureTopics(own, (short) 1);
        Path root = dir.resolve("root");
        CommandKeys.generateKeySet(root);
        Path fresh = dir.resolve("new-keys");
        int rc = new picocli.CommandLine(new io.x0tta6bl4.exporter.cli.X0Node()).execute("keys", "rotate", "--dir", fresh.toString(),
                "--kafka", own.bootstrapServers(), "--topic-prefix", own.topicPrefix(), "--root-keys", root.toString(), "--author", "it");
        assertThat(rc).isZero();
        TrustStore commandKeys = new TrustStore();
        AgentControl control = new AgentControl(own, CommandVerifier.hybrid(TrustStore.fromKeySet(root)), commandKeys);
        Thread follower = new Thread(control);
        follower.start();
        try {
            assertThat(control.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            // Commands signed with the rotated-in keys now verify on the agent.
            SignedCommand signed = CommandSigner.fromKeySet(fresh).sign(body("c-rotated"));
            assertThat(CommandVerifier.hybrid(commandKeys).verify(signed).getCommandId()).isEqualTo("c-rotated");
        } finally {
            control.close();
            follower.join(10_000);
        }
    }

    @Test
    void refusalsExecutionReplayAcrossRestartKillSwitchAndKeyRetirement(@TempDir Path dir) throws Exception {
        TrustStore commandKeys = new TrustStore().trust(SignatureAlgorithm.ML_DSA_65, mldsa.getPublic()).trust(SignatureAlgorithm.ED25519, ed.getPublic());
        SignedCommand valid = signer.sign(body("c-valid"));
        try (RunningAgent agent = new RunningAgent(commandKeys, SeenCommands.persistent(dir.resolve("seen"), System.currentTimeMillis()), "g1")) {
            send(new byte[] {0x13, 0x37});
            CommandResult malformed = agent.next();
            assertThat(malformed.getOutcome()).isEqualTo(CommandOutcome.REFUSED);
            assertThat(malformed.getReason()).startsWith("MALFORMED");

            send(signer.sign(CommandBody.newBuilder(body("c-other")).setTargetNodeId("node-2").build()));
            assertThat(agent.next().getReason()).startsWith("WRONG_TARGET");

            send(valid);
            CommandResult executed = agent.next();
            assertThat(executed.getOutcome()).isEqualTo(CommandOutcome.EXECUTED);
            assertThat(executed.getCommandId()).isEqualTo("c-valid");
        }
        // Restarted agent, same ledger file: the same command delivered again is a replay.
        try (RunningAgent agent = new RunningAgent(commandKeys, SeenCommands.persistent(dir.resolve("seen"), System.currentTimeMillis()), "g2")) {
            CommandResult replay = agent.next(); // the new consumer group reads the topic from the start
            while (!replay.getCommandId().equals("c-valid")) {
                replay = agent.next();
            }
            assertThat(replay.getReason()).startsWith("REPLAYED");
            assertThat(agent.runs).hasValue(0);

            try (ControlPublisher control = new ControlPublisher(kafka, rootSigner)) {
                control.publish(ControlSettings.killSwitch(true, System.currentTimeMillis(), "it"));
                // The pause must reach the agent; commands sent after it are refused, not run.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!agent.control.paused() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(agent.control.paused()).isTrue();
                send(signer.sign(body("c-paused")));
                assertThat(agent.next().getReason()).startsWith("PAUSED");

                control.publish(ControlSettings.killSwitch(false, System.currentTimeMillis(), "it"));
                control.publish(ControlSettings.record(ControlSettings.KEY_PREFIX + CommandKeys.keyId(ed.getPublic()),
                        io.x0tta6bl4.schema.ControlKind.TRUSTED_KEY, "{\"status\":\"retired\"}", System.currentTimeMillis(), "it"));
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((agent.control.paused() || commandKeys.find(CommandKeys.keyId(ed.getPublic())) != null) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                send(signer.sign(body("c-retired-key")));
                assertThat(agent.next().getReason()).startsWith("UNKNOWN_KEY");

            }
            assertThat(agent.runs).hasValue(0);
        }
    }
}
