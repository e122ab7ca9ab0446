package io.x0tta6bl4.exporter.bpf;

import io.x0tta6bl4.exporter.collect.Collector;
import io.x0tta6bl4.exporter.collect.Samples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eBPF metric families, one BPF object each (like ebpf_exporter's one-program-per-family), described here
 * by name, and the collectors that read their maps each interval. Families that cannot load are reported
 * once with their classified reason and left out; the procfs collectors go on regardless.
 */
public final class BpfCollectors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BpfCollectors.class);

    /** Every family shipped in the jar, cheapest first. */
    public static final List<String> FAMILIES = List.of("tcp", "oom_kills", "block_latency", "runqueue_latency", "syscall_errors");

    private final List<BpfObject> objects = new ArrayList<>();
    private final List<Collector> collectors = new ArrayList<>();
    private final Map<String, BpfUnavailableException> unavailable = new LinkedHashMap<>();

    private BpfCollectors() {}

    /**
     * The host's cgroup layout. Per-cgroup (container, pod) attribution needs the unified v2 hierarchy; on v1 or
     * hybrid hosts cgroup ids come out as the root, so series are attributed per process only.
     */
    public static String cgroupMode() {
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            return "v2";
        }
        return java.nio.file.Files.exists(java.nio.file.Path.of("/sys/fs/cgroup/unified")) ? "hybrid" : "v1";
    }

    /** Loads the enabled families into the kernel; never throws for a family that cannot load. */
    public static BpfCollectors open(List<String> enabled) {
        BpfCollectors set = new BpfCollectors();
        String cgroups = cgroupMode();
        if (!enabled.isEmpty() && !cgroups.equals("v2")) {
            LOG.info("cgroup {} host: per-cgroup series use the unified hierarchy ({}); processes only in v1 hierarchies count as \"/\"",
                    cgroups, CgroupPaths.unifiedRoot() == null ? "absent: every cgroup reads as /" : CgroupPaths.unifiedRoot());
        }
        for (String family : enabled) {
            if (!FAMILIES.contains(family)) {
                throw new IllegalArgumentException("unknown eBPF family '" + family + "'; known: " + FAMILIES);
            }
            try {
                BpfObject object = BpfObject.load(family);
                set.objects.add(object);
                set.collectors.add(collector(object));
            } catch (BpfUnavailableException e) {
                set.unavailable.put(family, e);
                LOG.warn("eBPF family {} disabled: {}", family, e.getMessage());
            }
        }
        return set;
    }

    private static Collector collector(BpfObject object) {
        return switch (object.family()) {
            case "tcp" -> new TcpEvents(object);
            case "syscall_errors" -> new SyscallErrors(object);
            case "oom_kills" -> new CounterArray(object, "x0_oom_kills", "oom_kills_total");
            case "block_latency" -> new LatencyHistogram(object, "x0_block_latency", "block_io_latency_seconds");
            case "runqueue_latency" -> new RunQueueLatency(object);
            default -> throw new IllegalArgumentException(object.family());
        };
    }

    /** The loaded families' objects (for statistics). */
    public List<BpfObject> objects() {
        return objects;
    }

    public List<Collector> collectors() {
        return collectors;
    }

    /** Families that did not load, with why. */
    public Map<String, BpfUnavailableException> unavailable() {
        return unavailable;
    }

    @Override
    public void close() {
        objects.forEach(BpfObject::close);
        objects.clear();
    }

    /** Counters kept in a per-CPU array, one metric per slot ({@code oom_kills_total}). */
    static final class CounterArray implements Collector {
        private final BpfObject object;
        private final String map;
        private final String[] metrics;

        CounterArray(BpfObject object, String map, String... metrics) {
            this.object = object;
            this.map = map;
            this.metrics = metrics;
        }

        public String name() {
            return "ebpf/" + object.family();
        }

        public void collect(Samples out, long nowMs) {
            long[] counts = object.readPerCpuCounters(map, metrics.length);
            for (int i = 0; i < metrics.length; i++) {
                out.counter(metrics[i], Map.of(), counts[i]);
            }
        }
    }

    /**
     * A log2 latency histogram kept by a BPF program (bucket i: [2^i, 2^(i+1)) ns; one extra slot holds the sum),
     * emitted Prometheus-style: cumulative {@code _bucket{le}} up to the highest non-empty bucket and +Inf,
     * {@code _count} and {@code _sum} in seconds.
     */
    static final class LatencyHistogram implements Collector {
        static final int BUCKETS = 32;
        private final BpfObject object;
        private final String map;
        private final String metric;

        LatencyHistogram(BpfObject object, String map, String metric) {
            this.object = object;
            this.map = map;
            this.metric = metric;
        }

        public String name() {
            return "ebpf/" + metric;
        }

        public void collect(Samples out, long nowMs) {
            long[] slots = object.readPerCpuCounters(map, BUCKETS + 1);
            int highest = -1;
            for (int i = 0; i < BUCKETS; i++) {
                if (slots[i] > 0) {
                    highest = i;
                }
            }
            long cumulative = 0;
            for (int i = 0; i <= highest; i++) {
                cumulative += slots[i];
                double le = Math.pow(2, i + 1) / 1e9;
                out.add(metric + "_bucket", Map.of("le", String.format(java.util.Locale.ROOT, "%.9g", le)), cumulative,
                        io.x0tta6bl4.schema.MetricKind.HISTOGRAM_BUCKET);
            }
            out.add(metric + "_bucket", Map.of("le", "+Inf"), cumulative, io.x0tta6bl4.schema.MetricKind.HISTOGRAM_BUCKET);
            out.counter(metric + "_count", Map.of(), cumulative);
            out.counter(metric + "_sum", Map.of(), slots[BUCKETS] / 1e9);
        }
    }

    /** {@code syscall_errors_total{errno}}: failed system calls by error, counters since load (only errnos seen). */
    static final class SyscallErrors implements Collector {
        private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"),
                Map.entry(4, "EINTR"), Map.entry(5, "EIO"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
                Map.entry(13, "EACCES"), Map.entry(17, "EEXIST"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"),
                Map.entry(28, "ENOSPC"), Map.entry(32, "EPIPE"), Map.entry(104, "ECONNRESET"), Map.entry(110, "ETIMEDOUT"),
                Map.entry(111, "ECONNREFUSED"), Map.entry(115, "EINPROGRESS"));
        /** Processes kept as their own series per interval; the rest is summed into comm="other". */
        static final int TOP_K = 10;
        private static final int KEY_SIZE = 20; // u32 errno + char comm[16]
        private final BpfObject object;
        private final PerProcessRates perProcess = new PerProcessRates("syscall_errors_per_second", "errno", TOP_K);

        SyscallErrors(BpfObject object) {
            this.object = object;
        }

        public String name() {
            return "ebpf/syscall_errors";
        }

        public void collect(Samples out, long nowMs) {
            long[] counts = object.readPerCpuCounters("x0_syscall_errors", 512);
            for (int errno = 1; errno < counts.length; errno++) {
                if (counts[errno] > 0) {
                    out.counter("syscall_errors_total", Map.of("errno", errnoName(errno)), counts[errno]);
                }
            }
            byProcess(out, nowMs);
        }

        static String errnoName(int errno) {
            return NAMES.getOrDefault(errno, Integer.toString(errno));
        }

        private void byProcess(Samples out, long nowMs) {
            perProcess.emit(out, nowMs, object.readHash("x0_syscall_errors_by_comm", KEY_SIZE, 8192), key -> errnoName(key.getInt(0)));
        }
    }

    /**
     * {@code tcp_resets_sent_total}, {@code tcp_resets_received_total}, {@code tcp_retransmits_total} (host totals),
     * and per second by owning process where the kernel knows it ({@code tcp_events_per_second{event, comm}}).
     */
    static final class TcpEvents implements Collector {
        static final String[] EVENTS = {"reset_sent", "reset_received", "retransmit"};
        private static final int KEY_SIZE = 20; // u32 event + char comm[16]
        private final BpfObject object;
        private final PerProcessRates perProcess = new PerProcessRates("tcp_events_per_second", "event", SyscallErrors.TOP_K);

        TcpEvents(BpfObject object) {
            this.object = object;
        }

        public String name() {
            return "ebpf/tcp";
        }

        public void collect(Samples out, long nowMs) {
            long[] counts = object.readPerCpuCounters("x0_tcp", 3);
            out.counter("tcp_resets_sent_total", Map.of(), counts[0]);
            out.counter("tcp_resets_received_total", Map.of(), counts[1]);
            out.counter("tcp_retransmits_total", Map.of(), counts[2]);
            perProcess.emit(out, nowMs, object.readHash("x0_tcp_by_comm", KEY_SIZE, 8192), key -> {
                int event = key.getInt(0);
                return event >= 0 && event < EVENTS.length ? EVENTS[event] : Integer.toString(event);
            });
        }
    }

    /**
     * Per-interval rates of cumulative counters read from a BPF hash: the delta since the last reading per second
     * (times {@code scale}), the top K keys as their own series, every other key folded into the "other" series its
     * {@code otherLabels} names, so key churn (processes, cgroups) never multiplies the series count. The first
     * reading only sets the baseline.
     */
    static final class TopKRates<K> {
        private final String metric;
        private final int topK;
        private final double scale;
        private final Map<K, Long> lastTotals = new java.util.HashMap<>();
        private long lastMs;

        TopKRates(String metric, int topK, double scale) {
            this.metric = metric;
            this.topK = topK;
            this.scale = scale;
        }

        void emit(Samples out, long nowMs, Map<K, Long> totals, java.util.function.Function<K, Map<String, String>> labels,
                java.util.function.Function<K, Map<String, String>> otherLabels) {
            double seconds = lastMs == 0 ? 0 : (nowMs - lastMs) / 1000.0;
            lastMs = nowMs;
            Map<K, Long> previous = new java.util.HashMap<>(lastTotals);
            lastTotals.clear();
            lastTotals.putAll(totals);
            if (seconds <= 0) {
                return;
            }
            List<Map.Entry<K, Long>> deltas = new ArrayList<>();
            totals.forEach((key, total) -> {
                long delta = total - previous.getOrDefault(key, 0L);
                if (delta > 0) {
                    deltas.add(Map.entry(key, delta));
                }
            });
            deltas.sort(Map.Entry.<K, Long>comparingByValue().reversed());
            Map<Map<String, String>, Long> other = new java.util.LinkedHashMap<>();
            for (int i = 0; i < deltas.size(); i++) {
                Map.Entry<K, Long> d = deltas.get(i);
                if (i < topK) {
                    out.gauge(metric, labels.apply(d.getKey()), d.getValue() * scale / seconds);
                } else {
                    other.merge(otherLabels.apply(d.getKey()), d.getValue(), Long::sum);
                }
            }
            other.forEach((otherLabel, delta) -> out.gauge(metric, otherLabel, delta * scale / seconds));
        }
    }

    /**
     * Rates per process from an LRU hash of cumulative counts keyed by {u32 kind, char comm[16]}: top K as
     * ({kind label, comm}) series, the rest as comm="other" per kind (see {@link TopKRates}).
     */
    static final class PerProcessRates {
        private record KindComm(String kind, String comm) {}

        private final String kindLabel;
        private final TopKRates<KindComm> rates;

        PerProcessRates(String metric, String kindLabel, int topK) {
            this.kindLabel = kindLabel;
            this.rates = new TopKRates<>(metric, topK, 1.0);
        }

        void emit(Samples out, long nowMs, Map<java.nio.ByteBuffer, Long> counts,
                java.util.function.Function<java.nio.ByteBuffer, String> kindOf) {
            Map<KindComm, Long> totals = new java.util.HashMap<>();
            for (Map.Entry<java.nio.ByteBuffer, Long> e : counts.entrySet()) {
                java.nio.ByteBuffer key = e.getKey().order(java.nio.ByteOrder.nativeOrder());
                byte[] comm = new byte[16];
                key.get(4, comm);
                int len = 0;
                while (len < comm.length && comm[len] != 0) {
                    len++;
                }
                totals.merge(new KindComm(kindOf.apply(key), new String(comm, 0, len, java.nio.charset.StandardCharsets.UTF_8)),
                        e.getValue(), Long::sum);
            }
            rates.emit(out, nowMs, totals, k -> Map.of(kindLabel, k.kind(), "comm", k.comm()),
                    k -> Map.of(kindLabel, k.kind(), "comm", "other"));
        }
    }

    /**
     * The run-queue latency histogram, and per cgroup the time its tasks waited for a CPU, in seconds per second
     * ({@code runqueue_wait_seconds_per_second{cgroup}}: 0.5 means tasks of that cgroup spent half a CPU's worth of
     * time waiting). The top K cgroups per interval are their own series, the rest is cgroup="other".
     */
    static final class RunQueueLatency implements Collector {
        static final int TOP_K = 10;
        private final BpfObject object;
        private final LatencyHistogram histogram;
        private final CgroupPaths cgroups = new CgroupPaths(CgroupPaths.unifiedRoot(), 10_000);
        private final TopKRates<Long> waitByCgroup = new TopKRates<>("runqueue_wait_seconds_per_second", TOP_K, 1e-9);

        RunQueueLatency(BpfObject object) {
            this.object = object;
            this.histogram = new LatencyHistogram(object, "x0_runqueue_latency", "runqueue_latency_seconds");
        }

        public String name() {
            return "ebpf/runqueue_latency";
        }

        public void collect(Samples out, long nowMs) {
            histogram.collect(out, nowMs);
            Map<Long, Long> waitNs = new java.util.HashMap<>();
            for (Map.Entry<java.nio.ByteBuffer, long[]> e : object.readHashValues("x0_runqueue_by_cgroup", 8, 2, 8192).entrySet()) {
                waitNs.put(e.getKey().order(java.nio.ByteOrder.nativeOrder()).getLong(0), e.getValue()[1]);
            }
            // Paths are looked up for the top K only: an unknown id may cost a walk of the hierarchy.
            waitByCgroup.emit(out, nowMs, waitNs, id -> Map.of("cgroup", cgroups.path(id, nowMs)), id -> Map.of("cgroup", "other"));
        }
    }
}
