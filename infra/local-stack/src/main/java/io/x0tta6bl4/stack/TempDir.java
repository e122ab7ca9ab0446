package io.x0tta6bl4.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A data directory made for one run (broker logs, index files, keys), deleted with everything in it on close: a
 * benchmark or demo run leaves no hundreds of megabytes behind in /tmp. Closed after what uses it has stopped.
 */
final class TempDir implements AutoCloseable {
    private final Path path;

    private TempDir(Path path) {
        this.path = path;
    }

    static TempDir create(String prefix) throws IOException {
        return new TempDir(Files.createTempDirectory(prefix));
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) { // children before their directory
                Files.deleteIfExists(p);
            }
        }
    }
}
