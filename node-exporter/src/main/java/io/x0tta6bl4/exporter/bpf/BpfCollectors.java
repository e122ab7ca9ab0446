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
    public static final List<String> FAMILIES = List.of("tcp_resets", "syscall_errors");

    private final List<BpfObject> objects = new ArrayList<>();
    private final List<Collector> collectors = new ArrayList<>();
    private final Map<String, BpfUnavailableException> unavailable = new LinkedHashMap<>();

    private BpfCollectors() {}

    /** Loads the enabled families into the kernel; never throws for a family that cannot load. */
    public static BpfCollectors open(List<String> enabled) {
        BpfCollectors set = new BpfCollectors();
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
            case "tcp_resets" -> new TcpResets(object);
            case "syscall_errors" -> new SyscallErrors(object);
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

    /** {@code tcp_resets_sent_total}, {@code tcp_resets_received_total}: counters since load. */
    static final class TcpResets implements Collector {
        private final BpfObject object;

        TcpResets(BpfObject object) {
            this.object = object;
        }

        public String name() {
            return "ebpf/tcp_resets";
        }

        public void collect(Samples out, long nowMs) {
            long[] counts = object.readPerCpuCounters("x0_tcp_resets", 2);
            out.counter("tcp_resets_sent_total", Map.of(), counts[0]);
            out.counter("tcp_resets_received_total", Map.of(), counts[1]);
        }
    }

    /** {@code syscall_errors_total{errno}}: failed system calls by error, counters since load (only errnos seen). */
    static final class SyscallErrors implements Collector {
        private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"),
                Map.entry(4, "EINTR"), Map.entry(5, "EIO"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
                Map.entry(13, "EACCES"), Map.entry(17, "EEXIST"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"),
                Map.entry(28, "ENOSPC"), Map.entry(32, "EPIPE"), Map.entry(104, "ECONNRESET"), Map.entry(110, "ETIMEDOUT"),
                Map.entry(111, "ECONNREFUSED"), Map.entry(115, "EINPROGRESS"));
        private final BpfObject object;

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
                    out.counter("syscall_errors_total", Map.of("errno", NAMES.getOrDefault(errno, Integer.toString(errno))), counts[errno]);
                }
            }
        }
    }
}
