package io.x0tta6bl4.exporter.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads procfs/sysfs files under a root (normally "/", a fixture directory in tests). */
public final class Procfs {
    private final Path root;

    public Procfs(Path root) {
        this.root = root;
    }

    public static Procfs host() {
        return new Procfs(Path.of("/"));
    }

    public List<String> lines(String path) throws IOException {
        return Files.readAllLines(root.resolve(path.startsWith("/") ? path.substring(1) : path));
    }

    public boolean exists(String path) {
        return Files.exists(root.resolve(path.startsWith("/") ? path.substring(1) : path));
    }

    static String[] fields(String line) {
        return line.trim().split("\\s+");
    }
}
