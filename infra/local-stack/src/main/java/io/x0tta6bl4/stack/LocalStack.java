package io.x0tta6bl4.stack;

import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.kafka.ControlPublisher;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.EmbeddedElasticsearch;
import io.x0tta6bl4.embedded.KafkaBroker;
import io.x0tta6bl4.exporter.sim.Fault;
import io.x0tta6bl4.exporter.sim.FleetSimulator;
import io.x0tta6bl4.jobs.LocalRunner;
import io.x0tta6bl4.jobs.common.JobConfig;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole loop on one machine: a real Kafka broker (child JVM), a real Elasticsearch node (in this JVM),
 * the four Flink jobs in a MiniCluster, and a simulated fleet with its agents.
 *
 * <p>{@code demo} injects a few faults, waits until each is healed (or the time limit), prints the fault
 * table and stops; {@code up} runs until Ctrl-C. Both stop everything cleanly on Ctrl-C.
 */
@Command(name = "x0", mixinStandardHelpOptions = true, version = "x0tta6bl4 0.1.0",
        description = "Run the x0tta6bl4 loop locally on real Kafka, Flink and Elasticsearch.",
        subcommands = {LocalStack.Demo.class, LocalStack.Up.class, Bench.class})
public final class LocalStack implements AutoCloseable {
    private static final PrintStream OUT = System.out;
    private final boolean interactive = System.console() != null;

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final long startMs = System.currentTimeMillis();
    private int step;
    private int steps;
    KafkaSettings kafka;
    String esUrl;
    LoopObserver observer;
    FleetSimulator fleet;
    final List<FaultTable.Row> faults = new ArrayList<>();
    /** The local stack's {@code nodeSilentAfterMs}: its simulated nodes send every second. */
    static final long LOCAL_NODE_SILENT_AFTER_MS = 10_000;
    /** The demo fleet's one service dependency (see {@link #start}). */
    static final String DEMO_CALLER = "node-035";
    static final String DEMO_CALLEE = "node-034";
    final java.util.Map<String, String> crossNode = new java.util.concurrent.ConcurrentSkipListMap<>();
    ControlPublisher controlPublisher;

    /** Options shared by demo and up. */
    static class StackOptions {
        @Option(names = "--nodes", defaultValue = "50", description = "simulated nodes (default ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--data-dir", description = "where Kafka, Elasticsearch and keys keep their data (default: a new temp dir)")
        Path dataDir;

        @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka port on 127.0.0.1, 0 = any free (default ${DEFAULT-VALUE})")
        int kafkaPort;

        @Option(names = "--es-port", defaultValue = "9200", description = "Elasticsearch HTTP port on 127.0.0.1, 0 = any free (default ${DEFAULT-VALUE})")
        int esPort;
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Start the stack, inject faults into the simulated fleet, print how each was healed, stop.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin StackOptions options = new StackOptions();

        @Option(names = "--warmup", defaultValue = "30", description = "seconds of normal telemetry before the first fault (default ${DEFAULT-VALUE})")
        int warmupSeconds;

        @Option(names = "--time-limit", defaultValue = "150", description = "seconds after the fleet starts before the demo gives up waiting (default ${DEFAULT-VALUE})")
        int timeLimitSeconds;

        @Override
        public Integer call() throws Exception {
            try (LocalStack stack = new LocalStack()) {
                Runtime.getRuntime().addShutdownHook(new Thread(stack::closeQuietly));
                stack.start(options, 7);
                return stack.runDemo(warmupSeconds, timeLimitSeconds);
            }
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the stack and the simulated fleet; run until Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin StackOptions options = new StackOptions();

        @Override
        public Integer call() throws Exception {
            LocalStack stack = new LocalStack();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stack.closeQuietly();
                stopped.countDown();
            }));
            stack.start(options, 6);
            OUT.printf("%nRunning. Kafka %s, Elasticsearch %s. Ctrl-C stops everything.%n", stack.kafka.bootstrapServers(), stack.esUrl);
            stopped.await();
            return 0;
        }
    }

    void start(StackOptions options, int totalSteps) throws Exception {
        steps = totalSteps;
        Path data;
        if (options.dataDir != null) {
            data = options.dataDir;
            OUT.printf("x0tta6bl4 local stack, data in %s%n", data);
        } else {
            TempDir temp = TempDir.create("x0tta6bl4-");
            running.push(temp); // first in, so closed last: after everything that writes there has stopped
            data = temp.path();
            OUT.printf("x0tta6bl4 local stack, data in %s (deleted on exit; --data-dir keeps it)%n", data);
        }

        progress("starting Kafka 4.2 broker (KRaft, child JVM)");
        KafkaBroker broker = KafkaBroker.start(data.resolve("kafka"), freeOrAny(options.kafkaPort, "Kafka"), Duration.ofSeconds(90));
        running.push(broker);
        kafka = new KafkaSettings(broker.bootstrapServers(), "");
        done("at " + broker.bootstrapServers() + " (pid " + broker.pid() + ")");

        progress("creating topics");
        List<String> created = TopicAdmin.ensureTopics(kafka, (short) 1);
        done(created.size() + " created");

        progress("starting Elasticsearch 8.19 node (in-JVM, core modules)");
        EmbeddedElasticsearch es = EmbeddedElasticsearch.start(data.resolve("elasticsearch"), freeOrAny(options.esPort, "Elasticsearch"));
        running.push(es);
        esUrl = es.url();
        done("at " + esUrl);

        progress("generating command and root signing keys (ML-DSA-65 + Ed25519)");
        Path keys = data.resolve("keys");
        Path root = data.resolve("root-keys");
        for (Path dir : List.of(keys, root)) {
            if (!Files.exists(dir.resolve("ml-dsa-65.key.pem"))) {
                CommandKeys.generateKeySet(dir);
            }
        }
        TrustStore trust = TrustStore.fromKeySet(keys);
        TrustStore rootTrust = TrustStore.fromKeySet(root);
        controlPublisher = new ControlPublisher(kafka, CommandSigner.fromKeySet(root));
        running.push(controlPublisher);
        done("command keys in " + keys + ", root keys (control topic) in " + root);

        progress("starting Flink MiniCluster with DetectJob, DiagnoseJob, HealJob, IndexJob");
        JobConfig config = JobConfig.defaults()
                .with("kafka.bootstrap", kafka.bootstrapServers())
                .with("es.url", esUrl)
                .with("keys.dir", keys.toString())
                .with("control.keys.dir", root.toString())
                .with("kem.keys.dir", data.resolve("agent-kem-keys").toString())
                .with("start", "earliest")
                .with("checkpoint.interval.ms", "1000")
                // The simulated fleet sends every second: a node is silent after ten (the default minute suits
                // exporters that send every few seconds to every fifteen).
                .with("detect.settings", "nodeSilentAfterMs=" + LOCAL_NODE_SILENT_AFTER_MS);
        if (options.nodes >= 35) {
            // One service dependency in the simulated fleet: node-035 calls node-034 (the demo's slow-disk node), so
            // the demo shows a victim's incident blamed on its dependency.
            config = config.with("diagnose.dependencies", DEMO_CALLER + "->" + DEMO_CALLEE);
        }
        LocalRunner runner = LocalRunner.start(config);
        running.push(runner);
        done("web UI " + runner.webUi());

        progress("starting simulated fleet of " + options.nodes + " nodes with their agents");
        observer = new LoopObserver(kafka, "x0-demo-observer", Clock.systemUTC());
        Thread observerThread = new Thread(observer, "x0-observer");
        observerThread.setDaemon(true);
        observerThread.start();
        running.push(observer);
        fleet = new FleetSimulator(kafka, options.nodes, 42, Duration.ofSeconds(1), trust, rootTrust, Clock.systemUTC(), new FleetSimulator.Listener() {
            @Override
            public void faultCleared(String nodeId, Fault fault, long atMs) {
                for (FaultTable.Row row : faults) {
                    if (row.nodeId.equals(nodeId) && row.fault == fault && row.clearedAtMs == 0) {
                        row.clearedAtMs = atMs;
                    }
                }
            }
        });
        fleet.enableSealedCommands(data.resolve("agent-kem-keys"));
        if (options.nodes >= 35) {
            fleet.dependsOn(DEMO_CALLER, DEMO_CALLEE);
        }
        observer.onIncident(incident -> {
            // An incident DiagnoseJob attributed to a dependency's: its first cause is on the node it calls.
            if (incident.getAttributedTo() != null) {
                String culprit = incident.getRootCauses().get(0).getNodeId();
                String victim = incident.getNodes().stream().filter(n -> !n.equals(culprit)).findFirst().orElse("?");
                crossNode.put(incident.getIncidentId(), victim + "'s incident " + incident.getIncidentId() + ": first cause "
                        + incident.getRootCauses().get(0).getMetric() + " on " + culprit + " (" + victim + " calls it)");
            }
        });
        fleet.start();
        running.push(fleet);
        done("telemetry every 1 s to " + kafka.topic(io.x0tta6bl4.connectors.Topic.TELEMETRY));
    }

    int runDemo(int warmupSeconds, int timeLimitSeconds) throws Exception {
        long fleetStart = System.currentTimeMillis();
        // The demo plays the on-call operator: it approves what HealJob proposes (risk tier "approve"),
        // through a root-signed record on the control topic, exactly as "x0 node control approve" would.
        observer.onDecision(decision -> {
            if (decision.getVerdict() == io.x0tta6bl4.schema.DecisionVerdict.PROPOSED) {
                try {
                    controlPublisher.publish(io.x0tta6bl4.connectors.ControlSettings.approval(decision.getCommandId(),
                            System.currentTimeMillis(), "demo-operator"));
                } catch (Exception e) {
                    System.err.println("could not approve " + decision.getCommandId() + ": " + e);
                }
            }
        });
        List<String> ids = fleet.nodeIds();
        Fault[] plan = Fault.values();
        progress("warming up the detectors for " + warmupSeconds + " s, then injecting " + plan.length + " faults 10 s apart");
        OUT.println();
        long deadline = fleetStart + timeLimitSeconds * 1000L;
        int next = 0;
        while (System.currentTimeMillis() < deadline) {
            long now = System.currentTimeMillis();
            if (next < plan.length && now >= fleetStart + (warmupSeconds + 10L * next) * 1000L) {
                String node = ids.get((7 + 13 * next) % ids.size());
                FaultTable.Row row = new FaultTable.Row(node, plan[next], now);
                faults.add(row);
                fleet.inject(node, plan[next]);
                next++;
            }
            boolean allCleared = next == plan.length && faults.stream().allMatch(r -> r.clearedAtMs != 0);
            if (allCleared) {
                break;
            }
            long second = (now - fleetStart) / 1000;
            if (interactive || second % 5 == 0) {
                // On a terminal one line is redrawn every second; in a log, a line every five seconds.
                OUT.printf(Locale.ROOT, (interactive ? "\r" : "") + "  T+%3ds  telemetry batches %6d  loop records %5d  dead letters %d  faults injected %d, cleared %d   %s",
                        second, fleet.batchesSent(), observer.records(), observer.deadLetters().size(), faults.size(),
                        faults.stream().filter(r -> r.clearedAtMs != 0).count(), interactive ? "" : "\n");
            }
            Thread.sleep(1000); // progress display cadence
        }
        // Give resolutions and the last documents a moment to travel before the summary.
        Thread.sleep(3000);
        OUT.printf("%n%n");
        FaultTable.print(OUT, startMs, faults, observer);
        crossNode.values().forEach(line -> OUT.println("cross-node diagnosis: " + line));
        OUT.printf("%nElasticsearch documents: %s%n", documentCounts());
        OUT.printf("Dead letters seen on x0.deadletter.v1: %d%n", observer.deadLetters().size());
        // A node that went down is reported, not healed: no command reaches it, and it comes back by itself.
        boolean healed = faults.size() == plan.length && faults.stream().allMatch(r -> r.clearedAtMs != 0
                && (r.fault.curable() || observer.trace(r.nodeId).firstAnomalyAtMs != 0));
        OUT.println(healed ? "All faults detected and diagnosed; each one a command cures was healed, the node that went down was reported."
                : "Not every fault was healed (or, for a node that went down, reported) within the time limit.");
        return healed ? 0 : 1;
    }

    private String documentCounts() {
        StringBuilder sb = new StringBuilder();
        for (String kind : List.of("telemetry", "anomalies", "incidents", "decisions", "commands", "results", "control", "deadletter")) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(esUrl + "/x0-" + kind + "/_count").toURL().openConnection();
                String body = c.getResponseCode() == 200 ? new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
                String count = body.replaceAll(".*\"count\":(\\d+).*", "$1");
                sb.append(kind).append('=').append(body.isEmpty() ? "0" : count).append(' ');
            } catch (Exception e) {
                sb.append(kind).append("=? ");
            }
        }
        return sb.toString().trim();
    }

    /** The preferred port if it is free on loopback, else 0 (any free port), saying so: a second stack still starts. */
    private static int freeOrAny(int preferred, String what) {
        if (preferred == 0) {
            return 0;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", preferred));
            return preferred;
        } catch (java.io.IOException busy) {
            OUT.printf("(port %d is taken; %s takes a free one) ", preferred, what);
            return 0;
        }
    }

    private void progress(String what) {
        step++;
        OUT.printf("[%d/%d] %s ... ", step, steps, what);
        OUT.flush();
    }

    private void done(String detail) {
        OUT.printf(Locale.ROOT, "ok (T+%.1fs) %s%n", (System.currentTimeMillis() - startMs) / 1000.0, detail);
    }

    synchronized void closeQuietly() {
        while (!running.isEmpty()) {
            AutoCloseable c = running.pop();
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("while stopping " + c.getClass().getSimpleName() + ": " + e);
            }
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    public static void main(String[] args) {
        String[] effective = args.length == 0 ? new String[] {"demo"} : args;
        CommandLine cli = new CommandLine(new LocalStack());
        // The node daemon's own CLI (run, simulate, keys) is reachable as "./x0 node ...".
        cli.addSubcommand("node", new CommandLine(new io.x0tta6bl4.exporter.cli.X0Node()));
        cli.addSubcommand("evaluate", new CommandLine(new io.x0tta6bl4.jobs.evaluate.Evaluate()));
        int code = cli.execute(effective);
        System.exit(code);
    }
}
