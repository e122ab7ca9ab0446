package io.x0tta6bl4.exporter;

import io.x0tta6bl4.schema.MetricSample;
import java.util.List;
import java.util.Map;

/** Where an exporter's batches go (Kafka in production), and how many made it. */
public interface TelemetrySink {
    void publish(String nodeId, Map<String, String> nodeLabels, long sequence, long timestampMs, List<MetricSample> samples);

    long sent();

    long failed();
}
