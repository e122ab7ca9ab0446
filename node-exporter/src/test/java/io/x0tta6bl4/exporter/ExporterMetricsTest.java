package io.x0tta6bl4.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.exporter.collect.Procfs;
import io.x0tta6bl4.schema.MetricSample;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporter's /metrics over real HTTP: host samples in Prometheus names, exporter health, a failing collector counted. */
class ExporterMetricsTest {

    /** Records batches instead of sending them. */
    static final class RecordingSink implements TelemetrySink {
        final List<List<MetricSample>> batches = new ArrayList<>();

        public void publish(String nodeId, Map<String, String> labels, long sequence, long timestampMs, List<MetricSample> samples) {
            batches.add(samples);
        }

        public long sent() { return batches.size(); }

        public long failed() { return 0; }
    }

    @Test
    void metricsEndpointServesHostSamplesAndExporterHealth(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal: 1000 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n");
        Files.writeString(root.resolve("proc/loadavg"), "0.50 0.40 0.30 1/100 12345\n");
        Files.writeString(root.resolve("proc/stat"), "cpu  100 0 100 800 0 0 0 0 0 0\n");
        // no /proc/diskstats or /proc/net/dev: those collectors fail and are counted, the others go on
        RecordingSink sink = new RecordingSink();
        NodeExporter exporter = new NodeExporter("node-1", Map.of("role", "web"), NodeExporter.procfsCollectors(new Procfs(root)), sink,
                Duration.ofSeconds(1), Clock.systemUTC());
        exporter.collectAndPublish();
        try (var server = exporter.metrics().serve("127.0.0.1", 0)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body).contains("x0_node_memory_used_ratio 0.75", "x0_node_load1 0.5",
                    "x0_exporter_collection_duration_seconds_bucket{le=", "x0_exporter_records_sent_total 1.0",
                    "x0_exporter_collector_errors_total{collector=\"disk\"} 1.0", "x0_exporter_collector_errors_total{collector=\"network\"} 1.0");
        }
        assertThat(sink.batches).hasSize(1);
    }

    @Test
    void histogramSamplesAreServedAsAPrometheusHistogram() throws Exception {
        io.x0tta6bl4.exporter.collect.Collector histogram = new io.x0tta6bl4.exporter.collect.Collector() {
            public String name() { return "fake-histogram"; }

            public void collect(io.x0tta6bl4.exporter.collect.Samples out, long nowMs) {
                out.add("runqueue_latency_seconds_bucket", Map.of("le", "0.000001"), 3, io.x0tta6bl4.schema.MetricKind.HISTOGRAM_BUCKET);
                out.add("runqueue_latency_seconds_bucket", Map.of("le", "0.000002"), 5, io.x0tta6bl4.schema.MetricKind.HISTOGRAM_BUCKET);
                out.add("runqueue_latency_seconds_bucket", Map.of("le", "+Inf"), 6, io.x0tta6bl4.schema.MetricKind.HISTOGRAM_BUCKET);
                out.counter("runqueue_latency_seconds_count", Map.of(), 6);
                out.counter("runqueue_latency_seconds_sum", Map.of(), 0.25);
            }
        };
        NodeExporter exporter = new NodeExporter("node-1", Map.of(), List.of(histogram), new RecordingSink(), Duration.ofSeconds(1),
                Clock.systemUTC());
        exporter.collectAndPublish();
        try (var server = exporter.metrics().serve("127.0.0.1", 0)) {
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("# TYPE x0_node_runqueue_latency_seconds histogram",
                    "x0_node_runqueue_latency_seconds_bucket{le=\"1.0E-6\"} 3", "x0_node_runqueue_latency_seconds_bucket{le=\"+Inf\"} 6",
                    "x0_node_runqueue_latency_seconds_count 6", "x0_node_runqueue_latency_seconds_sum 0.25");
        }
    }
}
