package io.x0tta6bl4.stack;

import io.x0tta6bl4.exporter.NodeExporter;
import io.x0tta6bl4.exporter.TelemetrySink;
import io.x0tta6bl4.exporter.bpf.BpfCollectors;
import io.x0tta6bl4.exporter.bpf.BpfObject;
import io.x0tta6bl4.exporter.collect.Collector;
import io.x0tta6bl4.exporter.collect.Procfs;
import io.x0tta6bl4.schema.MetricSample;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code x0 bench exporter}: the exporter's cost at a 1 s interval with every family on, under a fixed synthetic
 * load (failing syscalls and loopback connections to a closed port): CPU time of the Java side per interval,
 * and kernel time of each BPF program per event ({@code kernel.bpf_stats_enabled}), as shares of one core.
 */
@Command(name = "exporter", mixinStandardHelpOptions = true, description = "Node exporter overhead: Java CPU per interval, BPF ns per event.")
final class ExporterBenchmark implements Callable<Integer> {
    @Option(names = "--intervals", defaultValue = "20", description = "collection intervals of 1 s to measure (default ${DEFAULT-VALUE})")
    int intervals;

    @Override
    public Integer call() throws Exception {
        Path stats = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        String statsBefore = Files.exists(stats) ? Files.readString(stats).trim() : null;
        try (BpfCollectors bpf = BpfCollectors.open(BpfCollectors.FAMILIES)) {
            bpf.unavailable().forEach((f, why) -> System.out.println("eBPF " + f + " unavailable: " + why.getMessage()));
            if (statsBefore != null) {
                Files.writeString(stats, "1");
            }
            List<Collector> collectors = new ArrayList<>(NodeExporter.procfsCollectors(Procfs.host()));
            collectors.addAll(bpf.collectors());
            TelemetrySink discard = new TelemetrySink() {
                public void publish(String n, Map<String, String> l, long s, long t, List<MetricSample> samples) {}
                public long sent() { return 0; }
                public long failed() { return 0; }
            };
            NodeExporter exporter = new NodeExporter("bench", Map.of(), collectors, discard, Duration.ofSeconds(1), Clock.systemUTC());
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread load = new Thread(() -> syntheticLoad(loading), "bench-load");
            load.start();
            Map<String, long[]> before = programStats(bpf);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            System.out.printf("collecting every 1 s for %d s under synthetic load ...%n", intervals);
            exporter.collectAndPublish(); // first reading primes the rate collectors
            long cpu = 0;
            int samples = 0;
            long start = System.nanoTime();
            for (int i = 0; i < intervals; i++) {
                long due = start + (i + 1) * 1_000_000_000L;
                java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
                long c0 = threads.getCurrentThreadCpuTime();
                samples = exporter.collectAndPublish().size();
                cpu += threads.getCurrentThreadCpuTime() - c0;
            }
            double wallSeconds = (System.nanoTime() - start) / 1e9;
            loading.set(false);
            load.join();
            Map<String, long[]> after = programStats(bpf);
            double javaMs = cpu / 1e6 / intervals;
            System.out.printf(Locale.ROOT, "Java side: %.2f ms CPU per interval (%d samples) = %.3f%% of one core at a 1 s interval   goal < 1%%   %s%n",
                    javaMs, samples, javaMs / 10.0, javaMs / 10.0 < 1.0 ? "MET" : "NOT MET");
            for (Map.Entry<String, long[]> e : after.entrySet()) {
                long[] b = before.getOrDefault(e.getKey(), new long[2]);
                long runs = e.getValue()[0] - b[0];
                long ns = e.getValue()[1] - b[1];
                System.out.printf(Locale.ROOT, "BPF %-32s %10d events  %7.0f ns/event  %.3f%% of one core%n", e.getKey(), runs,
                        runs == 0 ? 0.0 : (double) ns / runs, ns / 1e9 / wallSeconds * 100);
            }
            if (after.values().stream().allMatch(v -> v[1] == 0)) {
                System.out.println("(no BPF run times: kernel.bpf_stats_enabled could not be switched on here)");
            }
        } finally {
            if (statsBefore != null) {
                Files.writeString(stats, statsBefore);
            }
        }
        return 0;
    }

    private static Map<String, long[]> programStats(BpfCollectors bpf) throws IOException {
        Map<String, long[]> stats = new HashMap<>();
        for (BpfObject object : bpf.objects()) {
            for (BpfObject.ProgramStats s : object.programStats()) {
                stats.put(object.family() + "/" + s.program(), new long[] {s.runs(), s.runTimeNs()});
            }
        }
        return stats;
    }

    /** A steady mix: stat() of a missing file (ENOENT) and a connection to a closed loopback port (two resets). */
    private static void syntheticLoad(AtomicBoolean running) {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path missing = Path.of("/nonexistent-x0-bench");
        while (running.get()) {
            for (int i = 0; i < 1000; i++) {
                Files.exists(missing);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", closedPort), 100);
            } catch (IOException refused) {
                // the reset is the point
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // ~100 rounds/s: a fixed, moderate load
        }
    }
}
