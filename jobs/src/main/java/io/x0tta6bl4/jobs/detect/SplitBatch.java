package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Splits a node's telemetry batch into one point per series. Histogram buckets are left to IndexJob. */
public final class SplitBatch implements FlatMapFunction<TelemetryBatch, MetricPoint> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(TelemetryBatch batch, Collector<MetricPoint> out) {
        for (MetricSample sample : batch.getSamples()) {
            if (sample.getKind() == MetricKind.HISTOGRAM_BUCKET) {
                continue;
            }
            out.collect(new MetricPoint(batch.getNodeId(), sample.getName(), canonicalLabels(sample.getLabels()),
                    batch.getTimestampMs(), sample.getValue(), sample.getKind() == MetricKind.COUNTER));
        }
    }

    static String canonicalLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }
}
