package io.x0tta6bl4.exporter.collect;

import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What collectors write one interval's samples into. */
public final class Samples {
    private final List<MetricSample> samples = new ArrayList<>();

    public Samples gauge(String name, double value) {
        return add(name, Map.of(), value, MetricKind.GAUGE);
    }

    public Samples gauge(String name, Map<String, String> labels, double value) {
        return add(name, labels, value, MetricKind.GAUGE);
    }

    public Samples counter(String name, Map<String, String> labels, double value) {
        return add(name, labels, value, MetricKind.COUNTER);
    }

    public Samples add(String name, Map<String, String> labels, double value, MetricKind kind) {
        samples.add(new MetricSample(name, labels, value, kind));
        return this;
    }

    public List<MetricSample> list() {
        return samples;
    }

    public int size() {
        return samples.size();
    }
}
