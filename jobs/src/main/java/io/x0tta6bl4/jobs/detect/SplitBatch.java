package io.x0tta6bl4.jobs.detect;

import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Splits a node's telemetry batch into one point per series. Histogram buckets are left to IndexJob. */
public final class SplitBatch implements FlatMapFunction<TelemetryBatch, MetricPoint> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(TelemetryBatch batch, Collector<MetricPoint> out) {
        String nodeLabels = Labels.canonical(batch.getNodeLabels());
        for (MetricSample sample : batch.getSamples()) {
            if (sample.getKind() == MetricKind.HISTOGRAM_BUCKET) {
                continue;
            }
            MetricPoint point = new MetricPoint(batch.getNodeId(), sample.getName(), Labels.canonical(sample.getLabels()),
                    batch.getTimestampMs(), sample.getValue(), sample.getKind() == MetricKind.COUNTER);
            point.nodeLabels = nodeLabels;
            out.collect(point);
        }
    }

}
