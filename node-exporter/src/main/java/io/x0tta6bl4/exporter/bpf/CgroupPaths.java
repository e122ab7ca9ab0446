package io.x0tta6bl4.exporter.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns the cgroup ids BPF programs see (the v2 id: the inode number of the cgroup's directory in the unified
 * hierarchy) into cgroup paths such as {@code /system.slice/docker-3f2c.scope} or {@code /kubepods/pod…}: the
 * container or service behind a series. The unified hierarchy is at {@code /sys/fs/cgroup} on a v2 host and at
 * {@code /sys/fs/cgroup/unified} on a hybrid one; a pure v1 host has none, and every id reads as "/".
 *
 * <p>The id-to-path table is built by walking the hierarchy, and rebuilt when an unknown id shows up, at most
 * once per {@code rescanEveryMs} (cgroups come and go with containers; a walk costs a directory listing each).
 */
public final class CgroupPaths {
    private final Path root;
    private final long rescanEveryMs;
    private final Map<Long, String> byId = new HashMap<>();
    private long lastScanMs = Long.MIN_VALUE / 2;

    public CgroupPaths(Path root, long rescanEveryMs) {
        this.root = root;
        this.rescanEveryMs = rescanEveryMs;
    }

    /** The host's unified hierarchy, or null on a pure cgroup v1 host. */
    public static Path unifiedRoot() {
        for (Path candidate : new Path[] {Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/unified")}) {
            if (Files.exists(candidate.resolve("cgroup.controllers"))) {
                return candidate;
            }
        }
        return null;
    }

    /** The cgroup path of an id ("/" for the root), or "id:N" when no cgroup has it (one that is already gone). */
    public String path(long id, long nowMs) {
        String known = byId.get(id);
        if (known == null && root != null && nowMs - lastScanMs >= rescanEveryMs) {
            scan(nowMs);
            known = byId.get(id);
        }
        if (known != null) {
            return known;
        }
        return root == null ? "/" : "id:" + id;
    }

    private void scan(long nowMs) {
        lastScanMs = nowMs;
        byId.clear();
        try (Stream<Path> dirs = Files.walk(root)) {
            dirs.filter(Files::isDirectory).forEach(dir -> {
                try {
                    long inode = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
                    String relative = root.relativize(dir).toString();
                    byId.put(inode, "/" + relative);
                } catch (IOException | UncheckedIOException e) {
                    // a cgroup removed while walking: it has no series to name any more
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the hierarchy changed under the walk; what was read is kept, the next unknown id rescans
        }
    }
}
