package io.x0tta6bl4.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.EmbeddedElasticsearch;
import io.x0tta6bl4.embedded.InJvmKafka;
import io.x0tta6bl4.exporter.sim.Fault;
import io.x0tta6bl4.exporter.sim.FleetSimulator;
import io.x0tta6bl4.jobs.LocalRunner;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.DecisionVerdict;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentResolution;
import io.x0tta6bl4.schema.IncidentStatus;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole MAPE-K loop in one JVM on real components: Kafka (Kafka's own test-kit broker), the four jobs in a
 * Flink MiniCluster, a real Elasticsearch node, and a simulated fleet whose agents verify and execute. One
 * fault is injected; every stage must be seen, the fault must clear, and the documents must be searchable. Then a node
 * goes down: it must be reported silent, diagnosed as such, sent no command, and its incident must resolve as recovered
 * when it comes back.
 */
class FullLoopITCase {
    @TempDir
    Path dir;

    @Test
    void injectedFaultIsDetectedDiagnosedHealedAndIndexed() throws Exception {
        CountDownLatch cleared = new CountDownLatch(1);
        try (InJvmKafka broker = InJvmKafka.start();
                EmbeddedElasticsearch es = EmbeddedElasticsearch.start(dir.resolve("es"), 0)) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "");
            TopicAdmin.ensureTopics(kafka, (short) 1);
            CommandKeys.generateKeySet(dir.resolve("keys"));
            JobConfig config = JobConfig.defaults()
                    .with("kafka.bootstrap", kafka.bootstrapServers()).with("es.url", es.url())
                    .with("keys.dir", dir.resolve("keys").toString()).with("start", "earliest")
                    .with("checkpoint.interval.ms", "500")
                    .with("detect.settings", "nodeSilentAfterMs=3000"); // the fleet sends every 250 ms
            try (LocalRunner jobs = LocalRunner.start(config);
                    LoopObserver observer = new LoopObserver(kafka, "it-observer", Clock.systemUTC());
                    FleetSimulator fleet = new FleetSimulator(kafka, 3, 7, Duration.ofMillis(250),
                            TrustStore.fromKeySet(dir.resolve("keys")), Clock.systemUTC(), new FleetSimulator.Listener() {
                                @Override
                                public void faultCleared(String nodeId, Fault fault, long atMs) {
                                    if (nodeId.equals("node-002") && fault == Fault.CPU_HOG) {
                                        cleared.countDown();
                                    }
                                }
                            })) {
                List<Incident> incidents = new CopyOnWriteArrayList<>();
                List<Decision> decisions = new CopyOnWriteArrayList<>();
                observer.onIncident(incidents::add);
                observer.onDecision(decisions::add);
                Thread observerThread = new Thread(observer, "it-observer");
                observerThread.start();
                fleet.start();
                // Past the detectors' warm-up (20 samples per series) before the fault.
                await(Duration.ofSeconds(60), () -> fleet.batchesSent() >= 3 * 30);
                fleet.inject("node-002", Fault.CPU_HOG);

                assertThat(cleared.await(120, TimeUnit.SECONDS)).as("fault cleared by the agent").isTrue();
                assertThat(fleet.activeFault("node-002")).isNull();
                LoopObserver.NodeTrace t = observer.trace("node-002");
                await(Duration.ofSeconds(30), () -> t.resultOutcome != null);
                assertThat(t.firstAnomalyAtMs).as("anomaly published").isPositive();
                assertThat(t.rootCauseMetric).isEqualTo("cpu_usage_ratio");
                assertThat(t.rootCauseKind).isEqualTo("cpu_saturation");
                assertThat(t.commandAction).as("not sealed: no KEM keys in this test").isEqualTo("cpu.throttle");
                assertThat(t.commandSignatures).as("ML-DSA-65 and Ed25519").isEqualTo(2);
                assertThat(t.resultOutcome).isEqualTo("EXECUTED");
                assertThat(observer.trace("node-001").commandAction).as("healthy nodes get no command").isNull();

                String incidentId = t.incidentId;
                await(Duration.ofSeconds(60), () -> count(es.url(), "x0-incidents", "incidentId", incidentId) == 1
                        && count(es.url(), "x0-results", "nodeId", "node-002") >= 1
                        && count(es.url(), "x0-commands", "targetNodeId", "node-002") >= 1);
                assertThat(count(es.url(), "x0-telemetry", "nodeId", "node-001")).isPositive();

                fleet.inject("node-003", Fault.NODE_DOWN);
                await(Duration.ofSeconds(60), () -> silentIncident(incidents, IncidentStatus.OPEN) != null);
                Incident silent = silentIncident(incidents, IncidentStatus.OPEN);
                assertThat(silent.getRootCauses().get(0).getKind()).isEqualTo("node_silent");
                await(Duration.ofSeconds(30), () -> decisions.stream().anyMatch(d -> d.getIncidentId().equals(silent.getIncidentId())));
                assertThat(decisions).filteredOn(d -> d.getIncidentId().equals(silent.getIncidentId()))
                        .extracting(Decision::getVerdict).as("notified, no command: none reaches a node that is down")
                        .containsOnly(DecisionVerdict.SKIPPED);
                assertThat(observer.trace("node-003").commandAction).isNull();
                await(Duration.ofSeconds(90), () -> silentIncident(incidents, IncidentStatus.RESOLVED) != null);
                assertThat(silentIncident(incidents, IncidentStatus.RESOLVED).getResolution()).as("back by itself")
                        .isEqualTo(IncidentResolution.RECOVERED);
                assertThat(jobs.status().values()).containsOnly("RUNNING");
            }
        }
    }

    /** The incident of node-003 whose first cause is its silence, as last seen with {@code status}; null if none yet. */
    static Incident silentIncident(List<Incident> incidents, IncidentStatus status) {
        Incident found = null;
        for (Incident i : incidents) {
            if (i.getStatus() == status && i.getNodes().contains("node-003") && !i.getRootCauses().isEmpty()
                    && i.getRootCauses().get(0).getMetric().equals("node_silent_seconds")) {
                found = i;
            }
        }
        return found;
    }

    /** Polls an external condition (another process' or thread's progress) until it holds or the timeout passes. */
    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within " + timeout).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    static long count(String url, String index, String field, String value) {
        try {
            HttpURLConnection refresh = (HttpURLConnection) URI.create(url + "/" + index + "/_refresh").toURL().openConnection();
            refresh.setRequestMethod("POST");
            refresh.getResponseCode();
            HttpURLConnection c = (HttpURLConnection) URI.create(url + "/" + index + "/_count?q=" + field + ":%22" + value + "%22")
                    .toURL().openConnection();
            if (c.getResponseCode() != 200) {
                return 0;
            }
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return Long.parseLong(body.replaceAll(".*\"count\":(\\d+).*", "$1"));
        } catch (Exception e) {
            return 0;
        }
    }
}
