package io.x0tta6bl4.exporter.collect;

import java.io.IOException;

/**
 * One family of host metrics. Collectors that report rates keep the previous reading themselves; the first
 * call after start-up may therefore report nothing for them.
 */
public interface Collector {
    /** Short name used in logs and the exporter's own health metrics. */
    String name();

    void collect(Samples out, long nowMs) throws IOException;
}
