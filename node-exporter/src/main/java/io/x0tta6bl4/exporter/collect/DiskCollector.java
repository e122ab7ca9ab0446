package io.x0tta6bl4.exporter.collect;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Block devices from /proc/diskstats (whole disks only, no partitions, loop or ram devices), per interval:
 * {@code disk_io_ops_per_second}, {@code disk_io_latency_seconds} (time spent per completed I/O) and
 * {@code disk_busy_ratio}.
 */
public final class DiskCollector implements Collector {
    private record Reading(long ios, long ioTimeMs, long busyMs, long atMs) {}

    private final Procfs procfs;
    private final Map<String, Reading> previous = new HashMap<>();

    public DiskCollector(Procfs procfs) {
        this.procfs = procfs;
    }

    @Override
    public String name() {
        return "disk";
    }

    @Override
    public void collect(Samples out, long nowMs) throws IOException {
        for (String line : procfs.lines("/proc/diskstats")) {
            String[] f = Procfs.fields(line);
            if (f.length < 14) {
                continue;
            }
            String device = f[2];
            if (device.startsWith("loop") || device.startsWith("ram") || device.startsWith("dm-") || isPartition(device)) {
                continue;
            }
            long ios = Long.parseLong(f[3]) + Long.parseLong(f[7]);
            long ioTime = Long.parseLong(f[6]) + Long.parseLong(f[10]);
            Reading now = new Reading(ios, ioTime, Long.parseLong(f[12]), nowMs);
            Reading before = previous.put(device, now);
            if (before != null && now.atMs > before.atMs) {
                double seconds = (now.atMs - before.atMs) / 1000.0;
                long dIos = Math.max(0, now.ios - before.ios);
                Map<String, String> labels = Map.of("device", device);
                out.gauge("disk_io_ops_per_second", labels, dIos / seconds);
                out.gauge("disk_io_latency_seconds", labels, dIos == 0 ? 0 : (now.ioTimeMs - before.ioTimeMs) / 1000.0 / dIos);
                out.gauge("disk_busy_ratio", labels, Math.min(1.0, (now.busyMs - before.busyMs) / 1000.0 / seconds));
            }
        }
    }

    static boolean isPartition(String device) {
        // sda1, vda2, nvme0n1p1, mmcblk0p1: a whole disk name never ends in a digit after a letter-only stem ...
        if (device.startsWith("nvme") || device.startsWith("mmcblk")) {
            return device.matches(".*p\\d+$");
        }
        return device.matches("^[a-z]+\\d+$");
    }
}
