package io.x0tta6bl4.exporter.cli;

import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSealing;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.exporter.NodeExporter;
import io.x0tta6bl4.exporter.TelemetryPublisher;
import io.x0tta6bl4.exporter.agent.AgentControl;
import io.x0tta6bl4.exporter.bpf.BpfCollectors;
import io.x0tta6bl4.exporter.agent.AgentLoop;
import io.x0tta6bl4.exporter.agent.AgentPolicy;
import io.x0tta6bl4.exporter.agent.CommandAgent;
import io.x0tta6bl4.exporter.agent.Executors;
import io.x0tta6bl4.exporter.agent.SeenCommands;
import io.x0tta6bl4.exporter.collect.Procfs;
import io.x0tta6bl4.exporter.sim.Fault;
import io.x0tta6bl4.exporter.sim.FleetSimulator;
import io.x0tta6bl4.schema.CommandResult;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code x0-node}: the node exporter and agent, the fleet simulator, and key management. */
@Command(name = "x0-node", mixinStandardHelpOptions = true, version = "x0tta6bl4 0.1.0",
        description = "x0tta6bl4 node daemon: streams host telemetry to Kafka and executes signed remediation commands.",
        subcommands = {X0Node.Run.class, X0Node.Simulate.class, X0Node.Keys.class, ControlCommand.class, X0Node.BpfCheck.class})
public final class X0Node {

    /** Settings shared by the commands that talk to Kafka. Each default can be set by an environment variable. */
    static class KafkaOptions {
        @Option(names = "--kafka", defaultValue = "${env:X0_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
                description = "Kafka bootstrap servers (env X0_KAFKA_BOOTSTRAP; default ${DEFAULT-VALUE})")
        String bootstrap;

        @Option(names = "--topic-prefix", defaultValue = "${env:X0_TOPIC_PREFIX:-}", description = "topic name prefix (env X0_TOPIC_PREFIX)")
        String topicPrefix;

        KafkaSettings settings() {
            return new KafkaSettings(bootstrap, topicPrefix);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Export this host's telemetry and run the command agent.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin KafkaOptions kafka = new KafkaOptions();

        @Option(names = "--node-id", defaultValue = "${env:X0_NODE_ID:-}", description = "node id (env X0_NODE_ID; default: host name)")
        String nodeId;

        @Option(names = "--interval", defaultValue = "${env:X0_INTERVAL:-1s}", description = "sampling interval, e.g. 1s, 500ms (default ${DEFAULT-VALUE})")
        String interval;

        @Option(names = "--trusted-keys", defaultValue = "${env:X0_TRUSTED_KEYS:-/etc/x0tta6bl4/keys}",
                description = "directory with the trusted command public keys *.pub.pem (default ${DEFAULT-VALUE})")
        Path trustedKeys;

        @Option(names = "--root-keys", defaultValue = "${env:X0_ROOT_KEYS:-/etc/x0tta6bl4/root}",
                description = "directory with the pinned root public keys that sign control records (default ${DEFAULT-VALUE})")
        Path rootKeys;

        @Option(names = "--kem-key", description = "this agent's ML-KEM-768 key pair stem, e.g. /etc/x0tta6bl4/node (reads STEM.ml-kem-768.key.pem and .pub.pem); needed to open sealed commands")
        Path kemKey;

        @Option(names = "--policy", description = "agent policy YAML (default: the built-in policy)")
        Path policy;

        @Option(names = "--ledger", defaultValue = "${env:X0_LEDGER:-/var/lib/x0tta6bl4/seen-commands}",
                description = "replay ledger file, kept across restarts (default ${DEFAULT-VALUE})")
        Path ledger;

        @Option(names = "--label", description = "node attribute KEY=VALUE for telemetry and node-scoped policy, e.g. role=db (repeatable)")
        Map<String, String> labels = new java.util.TreeMap<>();

        @Option(names = "--metrics", defaultValue = "${env:X0_METRICS_ADDRESS:-0.0.0.0:9464}",
                description = "serve Prometheus /metrics on HOST:PORT, or 'off' (env X0_METRICS_ADDRESS; default ${DEFAULT-VALUE})")
        String metricsAddress;

        @Option(names = "--bpf-families", split = ",", defaultValue = "${env:X0_BPF_FAMILIES:-tcp,oom_kills,block_latency,runqueue_latency,syscall_errors}",
                description = "eBPF metric families to load, comma separated, or 'none' (env X0_BPF_FAMILIES; default ${DEFAULT-VALUE})")
        List<String> bpfFamilies;

        @Option(names = "--dry-run", description = "verify commands and report what would run, but run nothing")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            String id = nodeId == null || nodeId.isBlank() ? InetAddress.getLocalHost().getHostName() : nodeId;
            Clock clock = Clock.systemUTC();
            KafkaSettings settings = kafka.settings();
            TrustStore commandKeys = TrustStore.fromKeySet(trustedKeys);
            AgentControl control = new AgentControl(settings, CommandVerifier.hybrid(TrustStore.fromKeySet(rootKeys)), commandKeys);
            Thread controlThread = new Thread(control, "x0-agent-control");
            controlThread.setDaemon(true);
            controlThread.start();
            CommandVerifier verifier = CommandVerifier.hybrid(commandKeys);
            if (kemKey != null) {
                verifier.withKemKey(CommandSealing.readPrivateKey(Path.of(kemKey + ".ml-kem-768.key.pem")),
                        CommandSealing.readPublicKey(Path.of(kemKey + ".ml-kem-768.pub.pem")));
            }
            CommandAgent agent = new CommandAgent(id, verifier,
                    (policy == null ? AgentPolicy.builtIn() : AgentPolicy.load(policy)).forNode(labels), Executors.host(),
                    SeenCommands.persistent(ledger, clock.millis()), clock, Duration.ofSeconds(30), Duration.ofSeconds(30), dryRun,
                    control::paused);
            List<String> families = bpfFamilies.contains("none") ? List.of() : bpfFamilies;
            BpfCollectors bpf = BpfCollectors.open(families);
            bpf.unavailable().forEach((family, why) -> System.err.println("x0-node: eBPF " + family + " off: " + why.getMessage()));
            List<io.x0tta6bl4.exporter.collect.Collector> collectors = new java.util.ArrayList<>(NodeExporter.procfsCollectors(Procfs.host()));
            collectors.addAll(bpf.collectors());
            NodeExporter exporter = new NodeExporter(id, labels, collectors,
                    new TelemetryPublisher(settings, "x0-node-" + id), Durations.parse(interval), clock);
            var metricsServer = metricsAddress.equals("off") ? null : exporter.metrics().serve(
                    metricsAddress.substring(0, metricsAddress.lastIndexOf(':')),
                    Integer.parseInt(metricsAddress.substring(metricsAddress.lastIndexOf(':') + 1)));
            AgentLoop loop = new AgentLoop(settings, "x0-agent-" + id, key -> key.equals(id) ? agent : null, r -> {});
            Thread agentThread = new Thread(loop, "x0-agent");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("x0-node: stopping");
                try {
                    exporter.close();
                    loop.close();
                    control.close();
                    bpf.close();
                    if (metricsServer != null) {
                        metricsServer.close();
                    }
                    agentThread.join(5_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                stopped.countDown();
            }));
            exporter.start();
            agentThread.start();
            System.err.printf("x0-node: node %s exporting every %s to %s; agent %s%n", id, interval, settings,
                    dryRun ? "in dry-run mode" : "executing verified commands");
            stopped.await();
            return 0;
        }
    }

    @Command(name = "bpf-check", mixinStandardHelpOptions = true,
            description = "Load each eBPF family into this kernel and say which work and, for the others, why not.")
    static final class BpfCheck implements Callable<Integer> {
        @Override
        public Integer call() {
            int failed = 0;
            System.out.println("cgroup hierarchy: " + BpfCollectors.cgroupMode()
                    + (BpfCollectors.cgroupMode().equals("v2") ? "" : " (per-cgroup attribution needs v2; series are per process)"));
            for (String family : BpfCollectors.FAMILIES) {
                try (BpfCollectors set = BpfCollectors.open(List.of(family))) {
                    var why = set.unavailable().get(family);
                    System.out.println(family + ": " + (why == null ? "OK" : why.getMessage()));
                    failed += why == null ? 0 : 1;
                }
            }
            return failed == 0 ? 0 : 3;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true, description = "Run a simulated fleet with agents; inject faults.")
    static final class Simulate implements Callable<Integer> {
        @CommandLine.Mixin KafkaOptions kafka = new KafkaOptions();

        @Option(names = "--nodes", defaultValue = "50", description = "number of simulated nodes (default ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--trusted-keys", required = true, description = "directory with the trusted command public keys")
        Path trustedKeys;

        @Option(names = "--fault", description = "inject FAULT on NODE after SECONDS, e.g. node-007:CPU_HOG:30 (repeatable; faults: CPU_HOG, "
                + "MEMORY_LEAK, DISK_LATENCY, PACKET_LOSS, NODE_DOWN)")
        String[] faults = new String[0];

        @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() throws Exception {
            FleetSimulator.Listener print = new FleetSimulator.Listener() {
                public void faultInjected(String node, Fault fault, long at) { System.err.println("injected " + fault + " on " + node); }
                public void faultCleared(String node, Fault fault, long at) { System.err.println("cleared " + fault + " on " + node); }
                public void commandHandled(CommandResult r) { System.err.println("agent " + r.getNodeId() + ": " + r.getOutcome() + " " + r.getAction() + " " + r.getReason()); }
            };
            try (FleetSimulator sim = new FleetSimulator(kafka.settings(), nodes, seed, Duration.ofSeconds(1),
                    TrustStore.fromKeySet(trustedKeys), Clock.systemUTC(), print)) {
                sim.start();
                long start = System.currentTimeMillis();
                for (String spec : faults) {
                    String[] f = spec.split(":");
                    if (f.length != 3) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--fault needs NODE:FAULT:SECONDS, got " + spec);
                    }
                    Thread.sleep(Math.max(0, start + Long.parseLong(f[2]) * 1000 - System.currentTimeMillis()));
                    sim.inject(f[0], Fault.valueOf(f[1]));
                }
                new CountDownLatch(1).await(); // until Ctrl-C
            }
            return 0;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Command signing keys (ML-DSA-65 and Ed25519).",
            subcommands = {Keys.Generate.class, Keys.ShowId.class, Keys.GenerateKem.class, Keys.Rotate.class})
    static final class Keys {
        @Command(name = "generate", mixinStandardHelpOptions = true, description = "Write a new key set (PKCS#8 and X.509 PEM files).")
        static final class Generate implements Callable<Integer> {
            @Option(names = "--dir", required = true, description = "directory to write the key set into")
            Path dir;

            @Override
            public Integer call() throws Exception {
                CommandKeys.generateKeySet(dir);
                return new ShowId().show(dir);
            }
        }

        @Command(name = "rotate", mixinStandardHelpOptions = true,
                description = "Rotation, step 1: write a new signing key set and announce its public keys to every agent (root-signed).")
        static final class Rotate implements Callable<Integer> {
            @CommandLine.Mixin ControlCommand.Publisher out = new ControlCommand.Publisher();

            @Option(names = "--dir", required = true, description = "directory for the new key set (must not hold one yet)")
            Path dir;

            @Override
            public Integer call() throws Exception {
                if (java.nio.file.Files.exists(dir.resolve(CommandKeys.fileStem(SignatureAlgorithm.ML_DSA_65) + ".key.pem"))) {
                    throw new CommandLine.ParameterException(new CommandLine(this), dir + " already holds a key set");
                }
                CommandKeys.generateKeySet(dir);
                new ShowId().show(dir);
                ControlCommand.TrustKeys announce = new ControlCommand.TrustKeys();
                announce.out = out;
                announce.dir = dir;
                announce.call();
                System.out.println("next: point HealJob's keys.dir at " + dir + " and restart it; then retire the old key ids with"
                        + " 'control retire-key KEY_ID' once no command signed by them can still be in flight (command.ttl.ms).");
                return 0;
            }
        }

        @Command(name = "generate-kem", mixinStandardHelpOptions = true,
                description = "Write an agent's ML-KEM-768 key pair; give HealJob the public half (kem.keys.dir) to encrypt its commands.")
        static final class GenerateKem implements Callable<Integer> {
            @Option(names = "--dir", required = true, description = "directory to write NODE.ml-kem-768.{pub,key}.pem into")
            Path dir;

            @Option(names = "--node-id", required = true, description = "the agent's node id")
            String nodeId;

            @Override
            public Integer call() throws Exception {
                java.nio.file.Files.createDirectories(dir);
                var pair = CommandSealing.generate();
                CommandSealing.writeKeyPair(pair, dir.resolve(nodeId + ".ml-kem-768.pub.pem"), dir.resolve(nodeId + ".ml-kem-768.key.pem"));
                System.out.println("ML-KEM-768 " + CommandKeys.keyId(pair.getPublic()) + " " + dir.resolve(nodeId + ".ml-kem-768.pub.pem"));
                return 0;
            }
        }

        @Command(name = "show-id", mixinStandardHelpOptions = true, description = "Print the key ids of a key set.")
        static final class ShowId implements Callable<Integer> {
            @Option(names = "--dir", required = true, description = "key set directory")
            Path dir;

            @Override
            public Integer call() throws Exception {
                return show(dir);
            }

            int show(Path keyDir) throws Exception {
                for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
                    Path pub = keyDir.resolve(CommandKeys.fileStem(algorithm) + ".pub.pem");
                    if (pub.toFile().exists()) {
                        System.out.println(algorithm.jcaName() + " " + CommandKeys.keyId(CommandKeys.readPublicKey(pub, algorithm)) + " " + pub);
                    }
                }
                return 0;
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new X0Node()).execute(args));
    }
}
