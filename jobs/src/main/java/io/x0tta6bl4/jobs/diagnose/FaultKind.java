package io.x0tta6bl4.jobs.diagnose;

/**
 * The fault families the loop knows, and which metrics belong to which. The metric names are
 * the exporter's (see node-exporter's collectors); a metric no family claims is {@link #UNKNOWN}.
 */
public enum FaultKind {
    CPU_SATURATION("cpu_saturation", "cpu_usage", "psi_cpu", "load", "runqueue"),
    MEMORY_PRESSURE("memory_pressure", "memory_", "psi_memory", "oom"),
    DISK_LATENCY("disk_latency", "disk_", "psi_io", "cpu_iowait", "block_"),
    NETWORK_LOSS("network_loss", "net_", "tcp_"),
    SERVICE_CRASH("service_crash", "service_", "process_restarts"),
    /** The node sent no telemetry for long (DetectJob's {@code node_silent_seconds}): no playbook acts on a node it cannot reach. */
    NODE_SILENT("node_silent", "node_silent"),
    UNKNOWN("unknown");

    private final String id;
    private final String[] metricPrefixes;

    FaultKind(String id, String... metricPrefixes) {
        this.id = id;
        this.metricPrefixes = metricPrefixes;
    }

    public String id() {
        return id;
    }

    public static FaultKind ofMetric(String metric) {
        for (FaultKind kind : values()) {
            for (String prefix : kind.metricPrefixes) {
                if (metric.startsWith(prefix)) {
                    return kind;
                }
            }
        }
        return UNKNOWN;
    }
}
