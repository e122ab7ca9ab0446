package io.x0tta6bl4.exporter;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.x0tta6bl4.exporter.collect.Samples;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The exporter's {@code /metrics} (Prometheus client_java 1.x): the host samples of the last interval under
 * {@code x0_node_} with the names and units the telemetry uses (already in Prometheus conventions: _seconds,
 * _bytes, _ratio), and the exporter's own health under {@code x0_exporter_}.
 */
public final class ExporterMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram collectionDuration;
    private final Counter collectorErrors;

    ExporterMetrics(Supplier<Samples> lastSamples, TelemetrySink sink) {
        collectionDuration = Histogram.builder().name("x0_exporter_collection_duration_seconds")
                .help("time to sample every collector once").classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0)
                .register(registry);
        collectorErrors = Counter.builder().name("x0_exporter_collector_errors").help("collector failures by collector")
                .labelNames("collector").register(registry);
        registry.register((MultiCollector) () -> snapshot(lastSamples.get(), sink));
    }

    void collected(double seconds) {
        collectionDuration.observe(seconds);
    }

    void collectorFailed(String collector) {
        collectorErrors.labelValues(collector).inc();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Serves {@code /metrics} on the given address; port 0 picks a free one. */
    public HTTPServer serve(String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }

    private static MetricSnapshots snapshot(Samples samples, TelemetrySink sink) {
        Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
        // Histograms: cumulative buckets by upper bound, their _sum and _count folded into one histogram metric.
        Map<String, java.util.TreeMap<Double, Double>> histograms = new LinkedHashMap<>();
        Map<String, Double> sums = new java.util.HashMap<>();
        for (MetricSample s : samples.list()) {
            if (s.getKind() == MetricKind.HISTOGRAM_BUCKET && s.getName().endsWith("_bucket")) {
                String le = s.getLabels().getOrDefault("le", "+Inf");
                histograms.computeIfAbsent(s.getName().substring(0, s.getName().length() - "_bucket".length()), k -> new java.util.TreeMap<>())
                        .put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), s.getValue());
            } else if (s.getName().endsWith("_sum")) {
                sums.put(s.getName().substring(0, s.getName().length() - "_sum".length()), s.getValue());
            }
        }
        for (MetricSample s : samples.list()) {
            Labels labels = labels(s.getLabels());
            String base = s.getName().replaceAll("_(bucket|sum|count)$", "");
            if (histograms.containsKey(base) && !base.equals(s.getName())) {
                continue; // rendered as part of its histogram below
            }
            if (s.getKind() == MetricKind.COUNTER) {
                counters.computeIfAbsent("x0_node_" + s.getName().replaceAll("_total$", ""), n -> CounterSnapshot.builder().name(n))
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(s.getValue()).labels(labels).build());
            } else {
                gauges.computeIfAbsent("x0_node_" + s.getName(), n -> GaugeSnapshot.builder().name(n))
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(s.getValue()).labels(labels).build());
            }
        }
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        histograms.forEach((base, cumulative) -> {
            double[] bounds = new double[cumulative.size()];
            long[] counts = new long[cumulative.size()];
            double previous = 0;
            int i = 0;
            for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
                bounds[i] = bucket.getKey();
                counts[i++] = Math.max(0, Math.round(bucket.getValue() - previous));
                previous = bucket.getValue();
            }
            all.metricSnapshot(io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder().name("x0_node_" + base)
                    .dataPoint(io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets.of(bounds, counts))
                            .sum(sums.getOrDefault(base, 0.0)).build())
                    .build());
        });
        gauges.values().forEach(g -> all.metricSnapshot(g.build()));
        counters.values().forEach(c -> all.metricSnapshot(c.build()));
        all.metricSnapshot(CounterSnapshot.builder().name("x0_exporter_records_sent").help("telemetry batches acknowledged by Kafka")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(sink.sent()).build()).build());
        all.metricSnapshot(CounterSnapshot.builder().name("x0_exporter_kafka_send_failures").help("telemetry batches Kafka did not take")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(sink.failed()).build()).build());
        return all.build();
    }

    private static Labels labels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return Labels.EMPTY;
        }
        List<String> names = labels.keySet().stream().sorted().toList();
        String[] pairs = new String[names.size() * 2];
        for (int i = 0; i < names.size(); i++) {
            pairs[2 * i] = names.get(i);
            pairs[2 * i + 1] = labels.get(names.get(i));
        }
        return Labels.of(pairs);
    }
}
