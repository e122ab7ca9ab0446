package io.x0tta6bl4.stack;

import static io.x0tta6bl4.stack.FullLoopITCase.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.InJvmKafka;
import io.x0tta6bl4.exporter.sim.Fault;
import io.x0tta6bl4.exporter.sim.FleetSimulator;
import io.x0tta6bl4.jobs.LocalRunner;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.schema.Incident;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two simulated nodes, node-001 calling node-002. Slow disks on node-002 also make node-001's requests slow:
 * node-001 gets an incident of its own, with no fault of its own. With the dependency in DiagnoseJob's config,
 * that incident must name node-002's disk as its root cause, the command must go to node-002 only, and the
 * fault must clear. Real Kafka (test kit), the detect, diagnose and heal jobs in a MiniCluster, real agents.
 */
class CrossNodeDiagnosisITCase {
    @TempDir
    Path dir;

    @Test
    void victimsIncidentIsBlamedOnTheDependencyAndOnlyTheDependencyIsHealed() throws Exception {
        CountDownLatch cleared = new CountDownLatch(1);
        List<Incident> incidents = new CopyOnWriteArrayList<>();
        try (InJvmKafka broker = InJvmKafka.start()) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "");
            TopicAdmin.ensureTopics(kafka, (short) 1);
            CommandKeys.generateKeySet(dir.resolve("keys"));
            JobConfig config = JobConfig.defaults()
                    .with("kafka.bootstrap", kafka.bootstrapServers())
                    .with("keys.dir", dir.resolve("keys").toString()).with("start", "earliest")
                    .with("checkpoint.interval.ms", "500")
                    .with("diagnose.dependencies", "node-001->node-002");
            List<String> jobs = LocalRunner.JOBS.keySet().stream().filter(name -> !name.contains("Index")).toList();
            try (LocalRunner runner = LocalRunner.start(config, jobs);
                    LoopObserver observer = new LoopObserver(kafka, "it-observer", Clock.systemUTC());
                    FleetSimulator fleet = new FleetSimulator(kafka, 2, 11, Duration.ofMillis(250),
                            TrustStore.fromKeySet(dir.resolve("keys")), Clock.systemUTC(), new FleetSimulator.Listener() {
                                @Override
                                public void faultCleared(String nodeId, Fault fault, long atMs) {
                                    if (nodeId.equals("node-002")) {
                                        cleared.countDown();
                                    }
                                }
                            })) {
                observer.onIncident(incidents::add);
                fleet.dependsOn("node-001", "node-002");
                Thread observerThread = new Thread(observer, "it-observer");
                observerThread.start();
                fleet.start();
                await(Duration.ofSeconds(60), () -> fleet.batchesSent() >= 2 * 30); // past the detectors' warm-up
                fleet.inject("node-002", Fault.DISK_LATENCY);

                assertThat(cleared.await(120, TimeUnit.SECONDS)).as("node-002's fault cleared by its agent").isTrue();
                await(Duration.ofSeconds(60), () -> incidents.stream().anyMatch(i -> i.getIncidentId().startsWith("node-001-")
                        && i.getRootCauses().get(0).getNodeId().equals("node-002")));
                Incident victim = incidents.stream().filter(i -> i.getIncidentId().startsWith("node-001-")
                        && i.getRootCauses().get(0).getNodeId().equals("node-002")).findFirst().orElseThrow();
                assertThat(victim.getRootCauses().get(0).getMetric()).isEqualTo("disk_io_latency_seconds");
                assertThat(victim.getRootCauses()).anySatisfy(c -> assertThat(c.getMetric()).isEqualTo("request_latency_seconds"));
                assertThat(victim.getNodes()).contains("node-001", "node-002");

                assertThat(observer.trace("node-002").commandAction).isEqualTo("io.throttle");
                assertThat(observer.trace("node-001").commandAction).as("the victim gets no command").isNull();
                assertThat(fleet.activeFault("node-001")).isNull();
            }
        }
    }
}
