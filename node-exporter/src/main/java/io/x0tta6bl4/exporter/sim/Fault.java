package io.x0tta6bl4.exporter.sim;

/**
 * The faults the simulator can inject, the metric each shows up on first, and the action that cures it: none for a node
 * that goes down, which sends nothing for {@link SimulatedNode#DOWN_FOR_MS} and then comes back by itself, as after a
 * crash and a reboot.
 */
public enum Fault {
    CPU_HOG("cpu_usage_ratio", "cpu.throttle"),
    MEMORY_LEAK("memory_used_ratio", "service.restart"),
    DISK_LATENCY("disk_io_latency_seconds", "io.throttle"),
    PACKET_LOSS("net_packet_loss_ratio", "net.restart_interface"),
    NODE_DOWN("node_silent_seconds", null);

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

    /** The action that clears this fault on a simulated node, or null: no command reaches a node that is down. */
    public String cure() {
        return cure;
    }

    /** Whether a command can cure it (else the loop can only report it). */
    public boolean curable() {
        return cure != null;
    }
}
