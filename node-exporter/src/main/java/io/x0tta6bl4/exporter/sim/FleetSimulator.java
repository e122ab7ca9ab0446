package io.x0tta6bl4.exporter.sim;

import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.exporter.TelemetryPublisher;
import io.x0tta6bl4.exporter.agent.AgentControl;
import io.x0tta6bl4.exporter.agent.AgentLoop;
import io.x0tta6bl4.exporter.agent.AgentPolicy;
import io.x0tta6bl4.exporter.agent.CommandAgent;
import io.x0tta6bl4.exporter.agent.Executors;
import io.x0tta6bl4.exporter.agent.SeenCommands;
import io.x0tta6bl4.exporter.collect.Samples;
import io.x0tta6bl4.schema.CommandResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of synthetic nodes: each samples its metrics every interval and publishes them exactly as a real
 * exporter would, and each has a real {@link CommandAgent} (signature verification, policy, replay ledger)
 * whose executors act on the simulated node. Faults are injected on demand and clear only when the right
 * remediation is executed by the node's agent; a node that goes down sends nothing until it comes back by itself.
 */
public final class FleetSimulator implements AutoCloseable {
    /** What the simulator reports back (for the demo's fault table and for tests). */
    public interface Listener {
        default void faultInjected(String nodeId, Fault fault, long atMs) {}

        default void faultCleared(String nodeId, Fault fault, long atMs) {}

        default void commandHandled(CommandResult result) {}
    }

    private final Map<String, SimulatedNode> nodes = new LinkedHashMap<>();
    private final Map<String, CommandAgent> agents = new LinkedHashMap<>();
    private final Map<String, CommandVerifier> verifiers = new LinkedHashMap<>();
    private final TelemetryPublisher publisher;
    private final AgentLoop agentLoop;
    private final Thread agentThread;
    private final ScheduledExecutorService ticker;
    private final Duration interval;
    private final Clock clock;
    private final Listener listener;

    private final AgentControl control;
    private final Thread controlThread;

    public FleetSimulator(KafkaSettings kafka, int nodeCount, long seed, Duration interval, TrustStore trust, Clock clock, Listener listener) {
        this(kafka, nodeCount, seed, interval, trust, null, clock, listener);
    }

    /**
     * A fleet whose agents also follow the control topic (kill switch, key rotation) when {@code rootKeys} is
     * given: the pinned root keys control records must be signed with.
     */
    public FleetSimulator(KafkaSettings kafka, int nodeCount, long seed, Duration interval, TrustStore trust, TrustStore rootKeys,
            Clock clock, Listener listener) {
        if (nodeCount < 1) {
            throw new IllegalArgumentException("a fleet needs at least one node");
        }
        this.interval = interval;
        this.clock = clock;
        this.listener = listener;
        this.control = rootKeys == null ? null : new AgentControl(kafka, CommandVerifier.hybrid(rootKeys), trust);
        this.controlThread = control == null ? null : new Thread(control, "x0-sim-control");
        java.util.function.BooleanSupplier paused = control == null ? () -> false : control::paused;
        String[] roles = {"web", "api", "db"};
        AgentPolicy policy = AgentPolicy.builtIn();
        for (int i = 1; i <= nodeCount; i++) {
            String id = String.format("node-%03d", i);
            SimulatedNode node = new SimulatedNode(id, Map.of("role", roles[i % roles.length], "zone", "z" + (i % 2 + 1)), seed + i);
            nodes.put(id, node);
            Executors executors = new Executors();
            for (String action : policy.actions()) {
                executors.register(new SimulatedAction(action, node, (n, f) -> listener.faultCleared(n.nodeId(), f, clock.millis())));
            }
            CommandVerifier verifier = CommandVerifier.hybrid(trust);
            verifiers.put(id, verifier);
            agents.put(id, new CommandAgent(id, verifier, policy.forNode(node.labels()), executors, SeenCommands.inMemory(),
                    clock, Duration.ofSeconds(30), Duration.ofSeconds(10), false, paused));
        }
        this.publisher = new TelemetryPublisher(kafka, "x0-fleet-simulator");
        this.agentLoop = new AgentLoop(kafka, "x0-fleet-simulator-agents", agents::get, listener::commandHandled);
        this.agentThread = new Thread(agentLoop, "x0-sim-agents");
        this.ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "x0-sim-ticker"));
    }

    /**
     * Gives every simulated agent an ML-KEM-768 key pair and writes the public halves to {@code dir} as
     * {@code <nodeId>.ml-kem-768.pub.pem}, where HealJob ({@code kem.keys.dir}) finds them and seals commands.
     */
    public void enableSealedCommands(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        for (Map.Entry<String, CommandVerifier> e : verifiers.entrySet()) {
            java.security.KeyPair pair = io.x0tta6bl4.connectors.command.CommandSealing.generate();
            io.x0tta6bl4.connectors.command.CommandSealing.writeKeyPair(pair, dir.resolve(e.getKey() + ".ml-kem-768.pub.pem"),
                    dir.resolve(e.getKey() + ".ml-kem-768.key.pem"));
            e.getValue().withKemKey(pair.getPrivate(), pair.getPublic());
        }
    }

    public void start() {
        if (controlThread != null) {
            controlThread.start();
        }
        agentThread.start();
        ticker.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One interval: every node that is up samples and publishes. */
    void tick() {
        long now = clock.millis();
        for (SimulatedNode node : nodes.values()) {
            if (node.downAt(now, back -> listener.faultCleared(node.nodeId(), back, now))) {
                continue;
            }
            Samples samples = new Samples();
            node.sample(samples, now);
            publisher.publish(node.nodeId(), node.labels(), node.nextSequence(), now, samples.list());
        }
    }

    public void inject(String nodeId, Fault fault) {
        SimulatedNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("no simulated node " + nodeId);
        }
        long now = clock.millis();
        node.inject(fault, now);
        listener.faultInjected(nodeId, fault, now);
    }

    /** {@code caller}'s requests call {@code callee}: a fault on the callee slows the caller's requests down. */
    public void dependsOn(String caller, String callee) {
        SimulatedNode from = nodes.get(caller);
        SimulatedNode to = nodes.get(callee);
        if (from == null || to == null) {
            throw new IllegalArgumentException("no simulated node " + (from == null ? caller : callee));
        }
        from.callsInto(to);
    }

    public List<String> nodeIds() {
        return new ArrayList<>(nodes.keySet());
    }

    public Fault activeFault(String nodeId) {
        return nodes.get(nodeId).activeFault();
    }

    public long batchesSent() {
        return publisher.sent();
    }

    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        agentLoop.close();
        agentThread.join(10_000);
        if (control != null) {
            control.close();
            controlThread.join(10_000);
        }
        agents.values().forEach(CommandAgent::shutdown);
        publisher.close();
    }
}
