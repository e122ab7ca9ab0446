package io.x0tta6bl4.exporter.collect;

import java.io.IOException;

/**
 * CPU time shares from /proc/stat between two readings: {@code cpu_usage_ratio} (busy, all modes but idle
 * and iowait), {@code cpu_iowait_ratio}, {@code cpu_steal_ratio}; and {@code load1} from /proc/loadavg.
 */
public final class CpuCollector implements Collector {
    private final Procfs procfs;
    private long[] previous;

    public CpuCollector(Procfs procfs) {
        this.procfs = procfs;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void collect(Samples out, long nowMs) throws IOException {
        String line = procfs.lines("/proc/stat").get(0);
        String[] f = Procfs.fields(line);
        long[] ticks = new long[Math.min(f.length - 1, 8)]; // user nice system idle iowait irq softirq steal
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = Long.parseLong(f[i + 1]);
        }
        if (previous != null && previous.length == ticks.length) {
            long total = 0;
            long[] delta = new long[ticks.length];
            for (int i = 0; i < ticks.length; i++) {
                delta[i] = Math.max(0, ticks[i] - previous[i]);
                total += delta[i];
            }
            if (total > 0) {
                double idle = delta[3];
                double iowait = delta.length > 4 ? delta[4] : 0;
                out.gauge("cpu_usage_ratio", (total - idle - iowait) / total);
                out.gauge("cpu_iowait_ratio", iowait / total);
                if (delta.length > 7) {
                    out.gauge("cpu_steal_ratio", delta[7] / (double) total);
                }
            }
        }
        previous = ticks;
        out.gauge("load1", Double.parseDouble(Procfs.fields(procfs.lines("/proc/loadavg").get(0))[0]));
    }
}
