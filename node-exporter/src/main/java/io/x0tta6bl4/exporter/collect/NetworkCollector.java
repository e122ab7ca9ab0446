package io.x0tta6bl4.exporter.collect;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interfaces from /proc/net/dev (loopback excluded) as per-second rates — {@code net_rx_bytes_per_second},
 * {@code net_tx_bytes_per_second}, {@code net_drops_per_second}, {@code net_errors_per_second} — and TCP
 * retransmissions from /proc/net/snmp as {@code tcp_retransmits_per_second}.
 */
public final class NetworkCollector implements Collector {
    private final Procfs procfs;
    private final Map<String, long[]> previous = new HashMap<>();
    private long previousAtMs;

    public NetworkCollector(Procfs procfs) {
        this.procfs = procfs;
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public void collect(Samples out, long nowMs) throws IOException {
        double seconds = previousAtMs == 0 ? 0 : (nowMs - previousAtMs) / 1000.0;
        previousAtMs = nowMs;
        for (String line : procfs.lines("/proc/net/dev")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String iface = line.substring(0, colon).trim();
            if (iface.equals("lo")) {
                continue;
            }
            String[] f = Procfs.fields(line.substring(colon + 1));
            long[] now = {Long.parseLong(f[0]), Long.parseLong(f[8]), Long.parseLong(f[3]) + Long.parseLong(f[11]),
                    Long.parseLong(f[2]) + Long.parseLong(f[10])};
            long[] before = previous.put(iface, now);
            if (before != null && seconds > 0) {
                Map<String, String> labels = Map.of("interface", iface);
                out.gauge("net_rx_bytes_per_second", labels, Math.max(0, now[0] - before[0]) / seconds);
                out.gauge("net_tx_bytes_per_second", labels, Math.max(0, now[1] - before[1]) / seconds);
                out.gauge("net_drops_per_second", labels, Math.max(0, now[2] - before[2]) / seconds);
                out.gauge("net_errors_per_second", labels, Math.max(0, now[3] - before[3]) / seconds);
            }
        }
        long retrans = tcpRetransSegs();
        long[] before = previous.put("#tcp", new long[] {retrans});
        if (retrans >= 0 && before != null && seconds > 0) {
            out.gauge("tcp_retransmits_per_second", Math.max(0, retrans - before[0]) / seconds);
        }
    }

    private long tcpRetransSegs() throws IOException {
        if (!procfs.exists("/proc/net/snmp")) {
            return -1;
        }
        List<String> lines = procfs.lines("/proc/net/snmp");
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Tcp:") && lines.get(i + 1).startsWith("Tcp:")) {
                String[] names = Procfs.fields(lines.get(i));
                String[] values = Procfs.fields(lines.get(i + 1));
                for (int k = 0; k < names.length && k < values.length; k++) {
                    if (names[k].equals("RetransSegs")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        return -1;
    }
}
