package io.x0tta6bl4.stack;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import io.x0tta6bl4.connectors.command.CanonicalCommand;
import io.x0tta6bl4.connectors.command.CommandRejectedException;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.SignedCommand;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Watches the loop from the outside, as any service consuming the topics would: anomalies, incidents,
 * commands, results and dead letters, timestamped on arrival. The demo's fault table and the full-loop
 * test read what happened per node from here.
 */
public final class LoopObserver implements Runnable, AutoCloseable {
    /** The first time each stage of the loop was seen for one node. */
    public static final class NodeTrace {
        public volatile long firstAnomalyAtMs;
        public volatile String firstAnomalyMetric;
        public volatile long incidentAtMs;
        public volatile String incidentId;
        public volatile String rootCauseMetric;
        public volatile String rootCauseKind;
        public volatile long resolvedAtMs;
        public volatile long commandAtMs;
        public volatile String commandAction;
        public volatile int commandSignatures;
        public volatile boolean commandSealed;
        public volatile String decidedAction;
        public volatile long resultAtMs;
        public volatile String resultOutcome;
        public volatile String resultReason;
        public final List<String> decisions = new CopyOnWriteArrayList<>();
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaSettings kafka;
    private final Clock clock;
    private final Map<String, NodeTrace> traces = new ConcurrentHashMap<>();
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final AtomicLong records = new AtomicLong();
    private final AvroCodec<Anomaly> anomalies = AvroCodec.of(Anomaly.class);
    private final AvroCodec<Incident> incidents = AvroCodec.of(Incident.class);
    private final AvroCodec<SignedCommand> commands = AvroCodec.of(SignedCommand.class);
    private final AvroCodec<CommandResult> results = AvroCodec.of(CommandResult.class);
    private final AvroCodec<DeadLetter> dead = AvroCodec.of(DeadLetter.class);
    private final AvroCodec<Decision> decisionCodec = AvroCodec.of(Decision.class);
    private final List<java.util.function.Consumer<Decision>> decisionListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<Incident>> incidentListeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public LoopObserver(KafkaSettings kafka, String groupId, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
        this.consumer = new KafkaConsumer<>(kafka.consumer(groupId));
        consumer.subscribe(List.of(kafka.topic(Topic.ANOMALIES), kafka.topic(Topic.INCIDENTS), kafka.topic(Topic.COMMANDS),
                kafka.topic(Topic.RESULTS), kafka.topic(Topic.DEADLETTER), kafka.topic(Topic.DECISIONS)));
    }

    /** Called (on the observer's thread) for every decision HealJob publishes. */
    public void onDecision(java.util.function.Consumer<Decision> listener) {
        decisionListeners.add(listener);
    }

    /** Called with every incident revision (on the observer's thread). */
    public void onIncident(java.util.function.Consumer<Incident> listener) {
        incidentListeners.add(listener);
    }

    public NodeTrace trace(String nodeId) {
        return traces.computeIfAbsent(nodeId, k -> new NodeTrace());
    }

    public Map<String, NodeTrace> traces() {
        return traces;
    }

    public List<DeadLetter> deadLetters() {
        return deadLetters;
    }

    public long records() {
        return records.get();
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    records.incrementAndGet();
                    try {
                        observe(r);
                    } catch (UndecodableRecordException | CommandRejectedException e) {
                        // the jobs route bad records themselves; the observer only reports what it understands
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

    private void observe(ConsumerRecord<byte[], byte[]> r) throws UndecodableRecordException, CommandRejectedException {
        long now = clock.millis();
        String topic = r.topic();
        if (topic.equals(kafka.topic(Topic.ANOMALIES))) {
            Anomaly a = anomalies.decode(r.value());
            NodeTrace t = trace(a.getNodeId());
            if (a.getPhase() == AnomalyPhase.STARTED && t.firstAnomalyAtMs == 0) {
                t.firstAnomalyMetric = a.getMetric();
                t.firstAnomalyAtMs = now;
            }
        } else if (topic.equals(kafka.topic(Topic.INCIDENTS))) {
            Incident i = incidents.decode(r.value());
            incidentListeners.forEach(l -> l.accept(i));
            if (i.getRootCauses().isEmpty()) {
                return;
            }
            NodeTrace t = trace(i.getRootCauses().get(0).getNodeId());
            if (i.getStatus() == IncidentStatus.RESOLVED) {
                if (i.getIncidentId().equals(t.incidentId)) {
                    t.resolvedAtMs = now;
                }
            } else if (t.incidentAtMs == 0) {
                t.incidentId = i.getIncidentId();
                t.rootCauseMetric = i.getRootCauses().get(0).getMetric();
                t.rootCauseKind = i.getRootCauses().get(0).getKind();
                t.incidentAtMs = now;
            }
        } else if (topic.equals(kafka.topic(Topic.COMMANDS))) {
            SignedCommand c = commands.decode(r.value());
            // A sealed body is unreadable to anyone but its target (as for any other consumer): the action is
            // then taken from HealJob's decision, which names it.
            NodeTrace t = trace(c.getTargetNodeId());
            if (t.commandAtMs == 0) {
                if (c.getSealed() == null) {
                    t.commandAction = CanonicalCommand.decode(c.getBody()).getAction();
                }
                t.commandSealed = c.getSealed() != null;
                t.commandSignatures = c.getSignatures().size();
                t.commandAtMs = now;
            }
        } else if (topic.equals(kafka.topic(Topic.RESULTS))) {
            CommandResult res = results.decode(r.value());
            NodeTrace t = trace(res.getNodeId());
            if (t.resultAtMs == 0) {
                t.resultOutcome = res.getOutcome().name();
                t.resultReason = res.getReason();
                t.resultAtMs = now;
            }
        } else if (topic.equals(kafka.topic(Topic.DECISIONS))) {
            Decision d = decisionCodec.decode(r.value());
            NodeTrace t = trace(d.getNodeId());
            t.decisions.add(d.getVerdict() + (d.getAction() == null ? "" : " " + d.getAction()));
            if ((d.getVerdict() == io.x0tta6bl4.schema.DecisionVerdict.COMMAND_ISSUED
                    || d.getVerdict() == io.x0tta6bl4.schema.DecisionVerdict.APPROVED) && t.decidedAction == null) {
                t.decidedAction = d.getAction();
            }
            decisionListeners.forEach(l -> l.accept(d));
        } else if (topic.equals(kafka.topic(Topic.DEADLETTER))) {
            deadLetters.add(dead.decode(r.value()));
        }
    }


    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
