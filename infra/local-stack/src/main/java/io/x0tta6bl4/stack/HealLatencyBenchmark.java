package io.x0tta6bl4.stack;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.KafkaBroker;
import io.x0tta6bl4.jobs.LocalRunner;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code x0 bench heal-latency}: from an incident on x0.incidents.v1 to its signed command on x0.commands.v1,
 * through HealJob on a real broker. Two figures: when the command is written (read_uncommitted) and when it
 * becomes visible to agents (read_committed: the transaction commits with the next checkpoint).
 */
@Command(name = "heal-latency", mixinStandardHelpOptions = true, description = "Incident-to-command latency through HealJob on a real broker.")
final class HealLatencyBenchmark implements Callable<Integer> {
    private static final int WARMUP = 100;

    @Option(names = "--incidents", defaultValue = "300", description = "incidents, each for its own node (default ${DEFAULT-VALUE})")
    int incidents;

    @Option(names = "--rate", defaultValue = "50", description = "incidents per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--checkpoint-ms", defaultValue = "1000", description = "HealJob's checkpoint interval (default ${DEFAULT-VALUE})")
    long checkpointMs;

    @Override
    public Integer call() throws Exception {
        try (TempDir dir = TempDir.create("x0-bench-heal-")) {
            return run(dir.path());
        }
    }

    private int run(Path data) throws Exception {
        System.out.println("starting Kafka broker and HealJob ...");
        try (KafkaBroker broker = KafkaBroker.start(data.resolve("kafka"), 0, Duration.ofSeconds(90))) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "");
            TopicAdmin.ensureTopics(kafka, (short) 1);
            useBrokerTimestamps(kafka, Topic.INCIDENTS, Topic.COMMANDS);
            CommandKeys.generateKeySet(data.resolve("keys"));
            JobConfig config = JobConfig.defaults().with("kafka.bootstrap", kafka.bootstrapServers()).with("keys.dir", data.resolve("keys").toString())
                    .with("start", "latest").with("checkpoint.interval.ms", Long.toString(checkpointMs))
                    .with("blast.radius.max.nodes", Integer.toString(incidents + WARMUP));
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> writtenAt = new ConcurrentHashMap<>();
            Map<String, Long> visibleAt = new ConcurrentHashMap<>();
            Map<String, Long> commandAppendedAt = new ConcurrentHashMap<>();
            try (LocalRunner heal = LocalRunner.start(config, List.of("x0tta6bl4 HealJob"));
                    Arrival uncommitted = new Arrival(kafka, "read_uncommitted", writtenAt, commandAppendedAt);
                    Arrival visible = new Arrival(kafka, "read_committed", visibleAt);
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.lowLatencyProducer("bench"))) {
                // Warm-up incidents: the job is up, its sources own their partitions and its code is compiled before timing.
                for (int i = 0; i < WARMUP; i++) {
                    send(producer, kafka, "warmup-" + i, sentAt);
                }
                await(visibleAt, WARMUP, Duration.ofSeconds(120));
                System.out.printf("sending %d incidents at %d/s ...%n", incidents, rate);
                long start = System.nanoTime();
                for (int i = 0; i < incidents; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing; a busy wait would steal a core
                    }
                    send(producer, kafka, String.format("n%05d", i), sentAt);
                }
                await(visibleAt, incidents + WARMUP, Duration.ofSeconds(60));
                Map<String, Long> incidentAppendedAt = incidentAppendTimes(kafka);
                long[] added = sentAt.keySet().stream().filter(n -> !n.startsWith("warmup") && commandAppendedAt.containsKey(n)
                        && incidentAppendedAt.containsKey(n)).mapToLong(n -> (commandAppendedAt.get(n) - incidentAppendedAt.get(n)) * 1_000_000L)
                        .toArray();
                report("added by HealJob (broker append of incident to append of command)", added, added.length);
                long[] written = latencies(sentAt, writtenAt);
                long[] committed = latencies(sentAt, visibleAt);
                int w = written.length;
                int c = committed.length;
                report("written to the topic (inside its transaction)", written, w);
                report("committed, visible to agents (checkpoint every " + checkpointMs + " ms)", committed, c);
                System.out.println("target: p99 <= 50 ms added from incident to command on the topic; with exactly-once delivery the"
                        + " commit waits for the next checkpoint, so visibility adds up to one checkpoint interval.");
            }
        }
        return 0;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, KafkaSettings kafka, String node, Map<String, Long> sentAt) {
        Incident incident = Incident.newBuilder().setIncidentId("bench-" + node).setStatus(IncidentStatus.OPEN).setRevision(1)
                .setOpenedAtMs(System.currentTimeMillis()).setUpdatedAtMs(System.currentTimeMillis()).setSeverity(0.8)
                .setNodes(List.of(node)).setMetrics(List.of("cpu_usage_ratio"))
                .setRootCauses(List.of(RootCause.newBuilder().setNodeId(node).setMetric("cpu_usage_ratio").setKind("cpu_saturation")
                        .setScore(0.9).build())).build();
        sentAt.put(node, System.nanoTime());
        producer.send(new ProducerRecord<>(kafka.topic(Topic.INCIDENTS), incident.getIncidentId().getBytes(StandardCharsets.UTF_8),
                AvroCodec.of(Incident.class).encode(incident)));
        producer.flush();
    }

    /**
     * The broker stamps records with its append time on these topics, so "incident appended" to "command
     * appended" is HealJob's own share of the latency, without either client's send or poll delays.
     */
    private static void useBrokerTimestamps(KafkaSettings kafka, Topic... topics) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            Map<org.apache.kafka.common.config.ConfigResource, java.util.Collection<org.apache.kafka.clients.admin.AlterConfigOp>> ops =
                    new java.util.HashMap<>();
            for (Topic t : topics) {
                ops.put(new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, kafka.topic(t)),
                        List.of(new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                                "message.timestamp.type", "LogAppendTime"), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(ops).all().get();
        }
    }

    /** Records when each node's command arrives, on a consumer thread of its own, while incidents are sent. */
    static final class Arrival implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        Arrival(KafkaSettings kafka, String isolation, Map<String, Long> arrivedAt) {
            this(kafka, isolation, arrivedAt, null);
        }

        Arrival(KafkaSettings kafka, String isolation, Map<String, Long> arrivedAt, Map<String, Long> appendedAt) {
            Properties p = kafka.consumer("bench-" + isolation + "-" + System.nanoTime());
            p.put("isolation.level", isolation);
            consumer = new KafkaConsumer<>(p);
            consumer.subscribe(List.of(kafka.topic(Topic.COMMANDS)));
            AvroCodec<SignedCommand> codec = AvroCodec.of(SignedCommand.class);
            thread = new Thread(() -> {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                        long now = System.nanoTime();
                        try {
                            arrivedAt.putIfAbsent(codec.decode(r.value()).getTargetNodeId(), now);
                            if (appendedAt != null) {
                                appendedAt.putIfAbsent(codec.decode(r.value()).getTargetNodeId(), r.timestamp());
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
                consumer.close();
            }, "bench-" + isolation);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    /** The broker's append time of every incident, by node. */
    private static Map<String, Long> incidentAppendTimes(KafkaSettings kafka) {
        Map<String, Long> appended = new java.util.HashMap<>();
        Properties p = kafka.consumer("bench-incidents-" + System.nanoTime());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(kafka.topic(Topic.INCIDENTS)));
            AvroCodec<Incident> codec = AvroCodec.of(Incident.class);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int empty = 0;
            while (System.nanoTime() < deadline && empty < 5) {
                var records = c.poll(Duration.ofMillis(500));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    try {
                        appended.put(codec.decode(r.value()).getNodes().get(0), r.timestamp());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return appended;
    }

    private static void await(Map<String, Long> arrived, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrived.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10); // waiting on other threads' progress, bounded by the timeout
        }
    }

    private static long[] latencies(Map<String, Long> sentAt, Map<String, Long> arrivedAt) {
        return sentAt.entrySet().stream().filter(e -> !e.getKey().startsWith("warmup") && arrivedAt.containsKey(e.getKey()))
                .mapToLong(e -> arrivedAt.get(e.getKey()) - e.getValue()).toArray();
    }

    private static void report(String what, long[] latencies, int n) {
        long[] got = Arrays.copyOf(latencies, n);
        Arrays.sort(got);
        if (n == 0) {
            System.out.println(what + ": no commands arrived");
            return;
        }
        System.out.printf(Locale.ROOT, "%-75s n=%d  p50 %.1f ms  p99 %.1f ms  max %.1f ms%n", what, n, got[n / 2] / 1e6,
                got[Math.min(n - 1, (int) (n * 0.99))] / 1e6, got[n - 1] / 1e6);
    }
}
