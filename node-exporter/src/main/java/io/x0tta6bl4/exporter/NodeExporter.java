package io.x0tta6bl4.exporter;

import io.x0tta6bl4.exporter.collect.Collector;
import io.x0tta6bl4.exporter.collect.CpuCollector;
import io.x0tta6bl4.exporter.collect.DiskCollector;
import io.x0tta6bl4.exporter.collect.MemoryCollector;
import io.x0tta6bl4.exporter.collect.NetworkCollector;
import io.x0tta6bl4.exporter.collect.PressureCollector;
import io.x0tta6bl4.exporter.collect.Procfs;
import io.x0tta6bl4.exporter.collect.Samples;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monitor: samples the host's collectors every interval and publishes one telemetry batch per interval.
 * A collector that fails is reported once with its reason and skipped; the others go on.
 */
public final class NodeExporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeExporter.class);

    private final String nodeId;
    private final Map<String, String> labels;
    private final List<Collector> collectors;
    private final TelemetrySink publisher;
    private volatile Samples lastSamples = new Samples();
    private final ExporterMetrics metrics;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "x0-exporter"));
    private final Map<String, String> failingCollectors = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile long lastCollectionNanos;

    public NodeExporter(String nodeId, Map<String, String> labels, List<Collector> collectors, TelemetrySink publisher,
            Duration interval, Clock clock) {
        this.metrics = new ExporterMetrics(() -> lastSamples, publisher);
        this.nodeId = nodeId;
        this.labels = labels;
        this.collectors = collectors;
        this.publisher = publisher;
        this.interval = interval;
        this.clock = clock;
    }

    /** The procfs/sysfs collectors of this host. */
    public static List<Collector> procfsCollectors(Procfs procfs) {
        return List.of(new CpuCollector(procfs), new MemoryCollector(procfs), new PressureCollector(procfs),
                new DiskCollector(procfs), new NetworkCollector(procfs));
    }

    public void start() {
        ticker.scheduleAtFixedRate(this::collectAndPublish, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One interval's work; public so tests and benchmarks can drive it directly. */
    public Samples collectAndPublish() {
        long start = System.nanoTime();
        long now = clock.millis();
        Samples samples = new Samples();
        for (Collector collector : collectors) {
            try {
                collector.collect(samples, now);
                if (failingCollectors.remove(collector.name()) != null) {
                    LOG.info("collector {} works again", collector.name());
                }
            } catch (Exception e) {
                metrics.collectorFailed(collector.name());
                if (failingCollectors.put(collector.name(), e.toString()) == null) {
                    LOG.warn("collector {} failed ({}); skipping it until it recovers", collector.name(), e.toString());
                }
            }
        }
        publisher.publish(nodeId, labels, sequence.getAndIncrement(), now, samples.list());
        lastSamples = samples;
        lastCollectionNanos = System.nanoTime() - start;
        metrics.collected(lastCollectionNanos / 1e9);
        return samples;
    }

    /** The Prometheus view of this exporter: the host's samples and the exporter's own health. */
    public ExporterMetrics metrics() {
        return metrics;
    }

    public long lastCollectionNanos() {
        return lastCollectionNanos;
    }

    @Override
    public void close() throws InterruptedException {
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        if (publisher instanceof TelemetryPublisher kafka) {
            kafka.flush();
        }
    }
}
