package io.x0tta6bl4.exporter.collect;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** Memory from /proc/meminfo: {@code memory_used_ratio} (1 - available/total), available and swap bytes. */
public final class MemoryCollector implements Collector {
    private final Procfs procfs;

    public MemoryCollector(Procfs procfs) {
        this.procfs = procfs;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void collect(Samples out, long nowMs) throws IOException {
        Map<String, Long> kb = new HashMap<>();
        for (String line : procfs.lines("/proc/meminfo")) {
            String[] f = Procfs.fields(line);
            if (f.length >= 2) {
                kb.put(f[0].replace(":", ""), Long.parseLong(f[1]));
            }
        }
        long total = kb.getOrDefault("MemTotal", 0L);
        long available = kb.getOrDefault("MemAvailable", kb.getOrDefault("MemFree", 0L));
        if (total > 0) {
            out.gauge("memory_used_ratio", 1.0 - (double) available / total);
            out.gauge("memory_available_bytes", available * 1024.0);
        }
        long swapTotal = kb.getOrDefault("SwapTotal", 0L);
        out.gauge("memory_swap_used_bytes", (swapTotal - kb.getOrDefault("SwapFree", 0L)) * 1024.0);
    }
}
