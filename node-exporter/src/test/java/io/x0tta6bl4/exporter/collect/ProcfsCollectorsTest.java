package io.x0tta6bl4.exporter.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.MetricSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcfsCollectorsTest {

    static List<String> names(Samples s) {
        return s.list().stream().map(MetricSample::getName).toList();
    }

    @Test
    void realProcfsYieldsCpuMemoryDiskAndNetworkAfterTwoReadings() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/stat")), "needs Linux procfs");
        Procfs procfs = Procfs.host();
        List<Collector> collectors = List.of(new CpuCollector(procfs), new MemoryCollector(procfs), new PressureCollector(procfs),
                new DiskCollector(procfs), new NetworkCollector(procfs));
        Samples first = new Samples();
        for (Collector c : collectors) {
            c.collect(first, System.currentTimeMillis());
        }
        // Burn a little CPU so the second reading has ticks to compare.
        long sink = 0;
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) {
            sink += System.nanoTime() % 7;
        }
        Samples second = new Samples();
        for (Collector c : collectors) {
            c.collect(second, System.currentTimeMillis() + 1000 + (sink & 1));
        }
        assertThat(names(second)).contains("cpu_usage_ratio", "load1", "memory_used_ratio", "memory_available_bytes");
        double cpu = second.list().stream().filter(s -> s.getName().equals("cpu_usage_ratio")).findFirst().orElseThrow().getValue();
        assertThat(cpu).isBetween(0.0, 1.0);
        double mem = second.list().stream().filter(s -> s.getName().equals("memory_used_ratio")).findFirst().orElseThrow().getValue();
        assertThat(mem).isBetween(0.0, 1.0);
    }

    @Test
    void diskAndNetworkRatesFromFixtureFiles(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("proc/net"));
        Path diskstats = root.resolve("proc/diskstats");
        Path netdev = root.resolve("proc/net/dev");
        Files.writeString(diskstats, "   8       0 sda 100 0 0 400 100 0 0 600 0 500 1000 0 0 0 0\n   8       1 sda1 1 0 0 1 1 0 0 1 0 1 1 0 0 0 0\n");
        Files.writeString(netdev, "Inter-|   Receive\n face |bytes\n    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n");
        Procfs procfs = new Procfs(root);
        DiskCollector disk = new DiskCollector(procfs);
        NetworkCollector net = new NetworkCollector(procfs);
        disk.collect(new Samples(), 0);
        net.collect(new Samples(), 1);
        Files.writeString(diskstats, "   8       0 sda 150 0 0 500 150 0 0 1500 0 1000 2000 0 0 0 0\n");
        Files.writeString(netdev, "h\nh\n  eth0: 3000 20 0 5 0 0 0 0 2500 30 0 0 0 0 0 0\n");
        Samples s = new Samples();
        disk.collect(s, 2000);
        net.collect(s, 2001);
        assertThat(s.list()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("disk_io_latency_seconds");
            assertThat(m.getLabels()).containsEntry("device", "sda");
            assertThat(m.getValue()).isCloseTo((1000 / 1000.0) / 100, org.assertj.core.data.Offset.offset(1e-9)); // 1000 ms over 100 I/Os
        });
        assertThat(s.list()).noneSatisfy(m -> assertThat(m.getLabels()).containsEntry("device", "sda1"));
        assertThat(s.list()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("net_rx_bytes_per_second");
            assertThat(m.getValue()).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1e-6));
        });
        assertThat(s.list()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("net_drops_per_second");
            assertThat(m.getValue()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-6));
        });
    }

    @Test
    void partitionsAreToldFromDisks() {
        assertThat(DiskCollector.isPartition("sda1")).isTrue();
        assertThat(DiskCollector.isPartition("vda")).isFalse();
        assertThat(DiskCollector.isPartition("nvme0n1")).isFalse();
        assertThat(DiskCollector.isPartition("nvme0n1p2")).isTrue();
    }
}
