package io.x0tta6bl4.exporter.sim;

import io.x0tta6bl4.exporter.collect.Samples;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One synthetic node: realistic baselines with noise for the same metrics the procfs collectors report,
 * and at most one active fault. A fault changes its primary metric at once and its secondary symptoms two
 * seconds later (as a saturated CPU raises load and pressure after the fact), which is what a root-cause
 * analysis must see through. A node may call another ({@link #callsInto}): its request latency then rises
 * when the node it calls is faulty, a symptom on a healthy node that only the dependency graph explains.
 * Thread-safe: the simulator ticks it while the agent may cure it.
 */
public final class SimulatedNode {
    private static final long SYMPTOM_DELAY_MS = 2_000;
    /** How long a node that went down ({@link Fault#NODE_DOWN}) stays down: a crash and a reboot. */
    public static final long DOWN_FOR_MS = 30_000;

    private final String nodeId;
    private final Map<String, String> labels;
    private final SplittableRandom random;
    private final double cpuBase;
    private final double memoryBase;
    private static final double REQUEST_LATENCY_S = 0.02;
    /** Volatile so a caller reads its dependency's fault without taking that node's lock. */
    private volatile Fault fault;
    private volatile long faultSinceMs;
    private volatile SimulatedNode callee;
    private long sequence;

    public SimulatedNode(String nodeId, Map<String, String> labels, long seed) {
        this.nodeId = nodeId;
        this.labels = labels;
        this.random = new SplittableRandom(seed);
        this.cpuBase = 0.15 + random.nextDouble() * 0.2;
        this.memoryBase = 0.35 + random.nextDouble() * 0.2;
    }

    public String nodeId() {
        return nodeId;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public synchronized void inject(Fault fault, long nowMs) {
        this.faultSinceMs = nowMs; // before the fault: a caller reading the fault sees its start time
        this.fault = fault;
    }

    public Fault activeFault() {
        return fault;
    }

    /** This node's requests call {@code dependency} (null: none). */
    public void callsInto(SimulatedNode dependency) {
        this.callee = dependency;
    }

    /** Whether a fault here has lasted long enough to slow down what calls this node. */
    boolean impairedAt(long nowMs) {
        Fault f = fault;
        return f != null && nowMs - faultSinceMs >= SYMPTOM_DELAY_MS;
    }

    /** Applies a remediation; returns the fault it cleared, or null when the action does not cure what is wrong. */
    public synchronized Fault remediate(String action) {
        if (fault != null && action.equals(fault.cure())) {
            Fault cleared = fault;
            fault = null;
            return cleared;
        }
        return null;
    }

    /**
     * Whether the node is down at {@code nowMs} (it sends nothing). A node down for {@link #DOWN_FOR_MS} comes back: its
     * fault clears, and {@code back} hears of it.
     */
    public synchronized boolean downAt(long nowMs, java.util.function.Consumer<Fault> back) {
        if (fault != Fault.NODE_DOWN) {
            return false;
        }
        if (nowMs - faultSinceMs < DOWN_FOR_MS) {
            return true;
        }
        fault = null;
        back.accept(Fault.NODE_DOWN);
        return false;
    }

    public synchronized long nextSequence() {
        return sequence++;
    }

    /** One interval's samples at {@code nowMs}. */
    public synchronized void sample(Samples out, long nowMs) {
        boolean primary = fault != null;
        boolean symptoms = fault != null && nowMs - faultSinceMs >= SYMPTOM_DELAY_MS;
        double elapsedS = fault == null ? 0 : (nowMs - faultSinceMs) / 1000.0;

        double cpu = fault == Fault.CPU_HOG ? 0.97 : cpuBase;
        out.gauge("cpu_usage_ratio", clamp(noise(cpu, 0.015), 0, 1));
        out.gauge("load1", Math.max(0, noise(cpu * 4 + (symptoms && fault == Fault.CPU_HOG ? 8 : 0), 0.15)));
        out.gauge("psi_cpu_some_ratio", clamp(noise(symptoms && fault == Fault.CPU_HOG ? 0.45 : 0.01, 0.003), 0, 1));

        double memory = fault == Fault.MEMORY_LEAK ? Math.min(0.98, memoryBase + 0.04 * (1 + elapsedS)) : memoryBase;
        out.gauge("memory_used_ratio", clamp(noise(memory, 0.003), 0, 1));
        out.gauge("psi_memory_some_ratio", clamp(noise(symptoms && fault == Fault.MEMORY_LEAK ? 0.3 : 0.005, 0.002), 0, 1));

        Map<String, String> disk = Map.of("device", "vda");
        out.gauge("disk_io_latency_seconds", disk, Math.max(0, noise(primary && fault == Fault.DISK_LATENCY ? 0.08 : 0.002, 0.0002)));
        out.gauge("psi_io_some_ratio", clamp(noise(symptoms && fault == Fault.DISK_LATENCY ? 0.35 : 0.01, 0.003), 0, 1));
        out.gauge("cpu_iowait_ratio", clamp(noise(symptoms && fault == Fault.DISK_LATENCY ? 0.2 : 0.01, 0.003), 0, 1));

        Map<String, String> eth0 = Map.of("interface", "eth0");
        out.gauge("net_packet_loss_ratio", eth0, clamp(noise(primary && fault == Fault.PACKET_LOSS ? 0.12 : 0.001, 0.0003), 0, 1));
        out.gauge("tcp_retransmits_per_second", Math.max(0, noise(symptoms && fault == Fault.PACKET_LOSS ? 80 : 2, 0.5)));
        out.gauge("net_rx_bytes_per_second", eth0, Math.max(0, noise(1.0e6, 4.0e4)));

        SimulatedNode dependency = callee;
        double latency = REQUEST_LATENCY_S + (symptoms ? 0.05 : 0) + (dependency != null && dependency.impairedAt(nowMs) ? 0.3 : 0);
        out.gauge("request_latency_seconds", Math.max(0, noise(latency, 0.002)));
    }

    private double noise(double mean, double sd) {
        // Sum of uniforms: Gaussian-like, bounded, and cheaper than nextGaussian on SplittableRandom.
        double u = random.nextDouble() + random.nextDouble() + random.nextDouble() + random.nextDouble() - 2.0;
        return mean + u * sd * Math.sqrt(3.0);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
