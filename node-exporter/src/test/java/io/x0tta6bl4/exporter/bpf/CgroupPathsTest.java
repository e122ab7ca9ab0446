package io.x0tta6bl4.exporter.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The id-to-path table over a real directory tree (a cgroup id is its directory's inode number). */
class CgroupPathsTest {
    @TempDir
    Path root;

    static long inode(Path dir) throws Exception {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    @Test
    void idsAreDecodedToPathsAndNewCgroupsFoundByARescan() throws Exception {
        Path service = Files.createDirectories(root.resolve("system.slice/x0.service"));
        CgroupPaths paths = new CgroupPaths(root, 1_000);
        assertThat(paths.path(inode(root), 0)).isEqualTo("/");
        assertThat(paths.path(inode(service), 0)).isEqualTo("/system.slice/x0.service");

        Path pod = Files.createDirectories(root.resolve("kubepods/pod-1"));
        assertThat(paths.path(inode(pod), 500)).as("no rescan within the interval").startsWith("id:");
        assertThat(paths.path(inode(pod), 1_500)).isEqualTo("/kubepods/pod-1");
    }

    @Test
    void withoutAUnifiedHierarchyEverythingIsTheRoot() {
        assertThat(new CgroupPaths(null, 1_000).path(12345, 0)).isEqualTo("/");
    }
}
