package io.x0tta6bl4.exporter.sim;

/** The faults the simulator can inject, the metric each shows up on first, and the action that cures it. */
public enum Fault {
    CPU_HOG("cpu_usage_ratio", "cpu.throttle"),
    MEMORY_LEAK("memory_used_ratio", "service.restart"),
    DISK_LATENCY("disk_io_latency_seconds", "io.throttle"),
    PACKET_LOSS("net_packet_loss_ratio", "net.restart_interface");

    private final String primaryMetric;
    private final String cure;

    Fault(String primaryMetric, String cure) {
        this.primaryMetric = primaryMetric;
        this.cure = cure;
    }

    /** The metric a correct diagnosis names as root cause. */
    public String primaryMetric() {
        return primaryMetric;
    }

    /** The action that clears this fault on a simulated node. */
    public String cure() {
        return cure;
    }
}
