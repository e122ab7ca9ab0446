package io.x0tta6bl4.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import io.x0tta6bl4.connectors.kafka.TopicAdmin;
import io.x0tta6bl4.embedded.InJvmKafka;
import io.x0tta6bl4.exporter.bpf.BpfCollectors;
import io.x0tta6bl4.exporter.collect.Collector;
import io.x0tta6bl4.exporter.collect.Procfs;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The real exporter (procfs and, where the kernel allows, eBPF collectors) publishing to a real broker; what
 * arrives is decoded with the codec DetectJob decodes telemetry with.
 */
class ExporterToKafkaITCase {

    @Test
    void realTelemetryReachesKafkaAndDecodesAsDetectJobReadsIt() throws Exception {
        try (InJvmKafka broker = InJvmKafka.start(); BpfCollectors bpf = BpfCollectors.open(BpfCollectors.FAMILIES)) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "exporter-it-");
            TopicAdmin.ensureTopics(kafka, (short) 1);
            List<Collector> collectors = new ArrayList<>(NodeExporter.procfsCollectors(Procfs.host()));
            collectors.addAll(bpf.collectors());
            try (TelemetryPublisher publisher = new TelemetryPublisher(kafka, "exporter-it")) {
                NodeExporter exporter = new NodeExporter("it-node", Map.of("role", "test"), collectors, publisher, Duration.ofSeconds(1),
                        Clock.systemUTC());
                exporter.collectAndPublish();
                exporter.collectAndPublish(); // rates need two readings
                publisher.flush();
            }
            List<TelemetryBatch> batches = new ArrayList<>();
            AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class); // what DetectJob's DecodeOrDeadLetter uses
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumer("exporter-it-reader"))) {
                consumer.subscribe(List.of(kafka.topic(Topic.TELEMETRY)));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (batches.size() < 2 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        batches.add(codec.decode(r.value()));
                    }
                }
            }
            assertThat(batches).hasSize(2);
            TelemetryBatch second = batches.get(1);
            assertThat(second.getNodeId()).isEqualTo("it-node");
            assertThat(second.getNodeLabels()).containsEntry("role", "test");
            List<String> names = second.getSamples().stream().map(MetricSample::getName).toList();
            assertThat(names).contains("cpu_usage_ratio", "memory_used_ratio");
            if (bpf.unavailable().isEmpty()) {
                assertThat(names).contains("tcp_resets_sent_total");
            }
        }
    }
}
