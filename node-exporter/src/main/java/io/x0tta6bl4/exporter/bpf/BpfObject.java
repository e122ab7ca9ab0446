package io.x0tta6bl4.exporter.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One CO-RE BPF object (one metric family) loaded into the running kernel from the jar, every program in it
 * attached, its maps readable; {@link #close()} detaches everything. The small interface over libbpf (open,
 * load, attach, find maps, look up, close) lives here so the collectors never touch JNA.
 */
public final class BpfObject implements AutoCloseable {
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EACCES = 13;
    private static final int LIBBPF_ERRNO_FORMAT = 4001;

    private static volatile LibBpf lib;

    private final String family;
    private final Pointer object;
    private final Memory image;
    private final List<Pointer> links = new ArrayList<>();
    private final int cpus;

    private BpfObject(String family, Pointer object, Memory image, int cpus) {
        this.family = family;
        this.object = object;
        this.image = image;
        this.cpus = cpus;
    }

    static LibBpf lib() throws BpfUnavailableException {
        if (lib == null) {
            try {
                lib = Native.load("bpf", LibBpf.class);
            } catch (UnsatisfiedLinkError e) {
                throw new BpfUnavailableException(BpfUnavailableException.Reason.LIBBPF_MISSING, e.getMessage());
            }
        }
        return lib;
    }

    /** Loads {@code /x0/bpf/<family>.bpf.o} from the class path and attaches all its programs. */
    public static BpfObject load(String family) throws BpfUnavailableException {
        byte[] bytes;
        try (InputStream in = BpfObject.class.getResourceAsStream("/x0/bpf/" + family + ".bpf.o")) {
            if (in == null) {
                throw new BpfUnavailableException(BpfUnavailableException.Reason.OBJECT_MISSING, family);
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new BpfUnavailableException(BpfUnavailableException.Reason.OBJECT_MISSING, e.getMessage());
        }
        return load(family, bytes);
    }

    /** Loads an object image; every failure is classified. */
    public static BpfObject load(String family, byte[] bytes) throws BpfUnavailableException {
        LibBpf bpf = lib();
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
            throw new BpfUnavailableException(BpfUnavailableException.Reason.NO_KERNEL_BTF, null);
        }
        Memory image = new Memory(Math.max(1, bytes.length));
        image.write(0, bytes, 0, bytes.length);
        Pointer object = bpf.bpf_object__open_mem(image, new NativeLong(bytes.length), null);
        if (object == null) {
            int errno = Native.getLastError();
            throw new BpfUnavailableException(errno == LIBBPF_ERRNO_FORMAT || errno == 22
                    ? BpfUnavailableException.Reason.OBJECT_INVALID : BpfUnavailableException.Reason.LOAD_FAILED, family + ": " + error(errno));
        }
        BpfObject loaded = new BpfObject(family, object, image, bpf.libbpf_num_possible_cpus());
        int rc = bpf.bpf_object__load(object);
        if (rc != 0) {
            loaded.close();
            int errno = -rc;
            BpfUnavailableException.Reason reason = errno == EPERM || errno == EACCES ? BpfUnavailableException.Reason.NO_PERMISSION
                    : errno == ESRCH ? BpfUnavailableException.Reason.NO_KERNEL_BTF : BpfUnavailableException.Reason.LOAD_FAILED;
            throw new BpfUnavailableException(reason, family + ": " + error(errno));
        }
        for (Pointer program = bpf.bpf_object__next_program(object, null); program != null;
                program = bpf.bpf_object__next_program(object, program)) {
            Pointer link = bpf.bpf_program__attach(program);
            if (link == null) {
                int errno = Native.getLastError();
                String name = bpf.bpf_program__name(program);
                loaded.close();
                throw new BpfUnavailableException(BpfUnavailableException.Reason.ATTACH_FAILED, family + "/" + name + ": " + error(errno));
            }
            loaded.links.add(link);
        }
        return loaded;
    }

    /** Run count and total run time of one attached program (needs {@code kernel.bpf_stats_enabled=1}). */
    public record ProgramStats(String program, long runs, long runTimeNs) {}

    /** Per-program kernel statistics, read from {@code /proc/self/fdinfo} of the program's fd. */
    public List<ProgramStats> programStats() throws IOException {
        List<ProgramStats> stats = new ArrayList<>();
        for (Pointer program = lib.bpf_object__next_program(object, null); program != null;
                program = lib.bpf_object__next_program(object, program)) {
            long runs = 0;
            long time = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + lib.bpf_program__fd(program)))) {
                String[] kv = line.split(":\\s*");
                if (kv.length == 2 && kv[0].equals("run_cnt")) {
                    runs = Long.parseLong(kv[1].trim());
                } else if (kv.length == 2 && kv[0].equals("run_time_ns")) {
                    time = Long.parseLong(kv[1].trim());
                }
            }
            stats.add(new ProgramStats(lib.bpf_program__name(program), runs, time));
        }
        return stats;
    }

    public String family() {
        return family;
    }

    /** Sums a per-CPU array map of u64 counters over all CPUs: one value per key 0..entries-1. */
    public long[] readPerCpuCounters(String map, int entries) {
        LibBpf bpf = lib;
        Pointer m = bpf.bpf_object__find_map_by_name(object, map);
        if (m == null) {
            throw new IllegalStateException("no map " + map + " in " + family);
        }
        int fd = bpf.bpf_map__fd(m);
        long[] sums = new long[entries];
        if (readPerCpuBatch(bpf, fd, entries, sums)) {
            return sums;
        }
        Memory key = new Memory(4);
        Memory value = new Memory(8L * cpus);
        for (int k = 0; k < entries; k++) {
            key.setInt(0, k);
            if (bpf.bpf_map_lookup_elem(fd, key, value) == 0) {
                long sum = 0;
                for (int c = 0; c < cpus; c++) {
                    sum += value.getLong(8L * c);
                }
                sums[k] = sum;
            }
        }
        return sums;
    }

    /** Every entry of a hash map with u64 values: key bytes to value. A walk is bounded by {@code maxEntries}. */
    public java.util.Map<java.nio.ByteBuffer, Long> readHash(String map, int keySize, int maxEntries) {
        java.util.Map<java.nio.ByteBuffer, Long> entries = new java.util.HashMap<>();
        readHashValues(map, keySize, 1, maxEntries).forEach((key, value) -> entries.put(key, value[0]));
        return entries;
    }

    /** Like {@link #readHash} for values of {@code longsPerValue} 64-bit fields (a struct of counters). */
    public java.util.Map<java.nio.ByteBuffer, long[]> readHashValues(String map, int keySize, int longsPerValue, int maxEntries) {
        Pointer m = lib.bpf_object__find_map_by_name(object, map);
        if (m == null) {
            throw new IllegalStateException("no map " + map + " in " + family);
        }
        int fd = lib.bpf_map__fd(m);
        java.util.Map<java.nio.ByteBuffer, long[]> entries = new java.util.HashMap<>();
        Memory key = new Memory(keySize);
        Memory next = new Memory(keySize);
        Memory value = new Memory(8L * longsPerValue);
        Pointer previous = null;
        for (int i = 0; i < maxEntries && lib.bpf_map_get_next_key(fd, previous, next) == 0; i++) {
            if (lib.bpf_map_lookup_elem(fd, next, value) == 0) {
                entries.put(java.nio.ByteBuffer.wrap(next.getByteArray(0, keySize)), value.getLongArray(0, longsPerValue));
            }
            key.write(0, next.getByteArray(0, keySize), 0, keySize);
            previous = key;
        }
        return entries;
    }

    /**
     * One {@code bpf_map_lookup_batch} call for the whole array (about 10x cheaper than a lookup per key);
     * false if the kernel or map refuses batches, so the caller walks key by key instead.
     */
    private boolean readPerCpuBatch(LibBpf bpf, int fd, int entries, long[] sums) {
        Memory keys = new Memory(4L * entries);
        Memory values = new Memory(8L * cpus * entries);
        Memory token = new Memory(4);
        Memory count = new Memory(4);
        int done = 0;
        Pointer in = null;
        while (done < entries) {
            count.setInt(0, entries - done);
            int rc = bpf.bpf_map_lookup_batch(fd, in, token, keys.share(4L * done), values.share(8L * cpus * done), count, null);
            int got = count.getInt(0);
            if (rc != 0 && rc != -2 /* ENOENT: the last chunk */) {
                return false;
            }
            for (int i = done; i < done + got; i++) {
                int key = keys.getInt(4L * i);
                long sum = 0;
                for (int c = 0; c < cpus; c++) {
                    sum += values.getLong(8L * (cpus * (long) i + c));
                }
                if (key >= 0 && key < entries) {
                    sums[key] = sum;
                }
            }
            done += got;
            if (rc == -2 || got == 0) {
                break;
            }
            in = token;
        }
        return true;
    }

    private static String error(int errno) {
        byte[] buffer = new byte[256];
        try {
            lib.libbpf_strerror(errno, buffer, new NativeLong(buffer.length));
            int len = 0;
            while (len < buffer.length && buffer[len] != 0) {
                len++;
            }
            return "errno " + errno + ", " + new String(buffer, 0, len, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return "errno " + errno;
        }
    }

    @Override
    public void close() {
        for (Pointer link : links) {
            lib.bpf_link__destroy(link);
        }
        links.clear();
        lib.bpf_object__close(object);
        image.close();
    }
}
