package io.x0tta6bl4.exporter.collect;

import java.io.IOException;

/**
 * Pressure stall information (/proc/pressure/{cpu,memory,io}): the share of the last 10 s in which some task
 * stalled on the resource, as {@code psi_<resource>_some_ratio}. Kernels without PSI report nothing.
 */
public final class PressureCollector implements Collector {
    private static final String[] RESOURCES = {"cpu", "memory", "io"};
    private final Procfs procfs;

    public PressureCollector(Procfs procfs) {
        this.procfs = procfs;
    }

    @Override
    public String name() {
        return "pressure";
    }

    @Override
    public void collect(Samples out, long nowMs) throws IOException {
        for (String resource : RESOURCES) {
            String path = "/proc/pressure/" + resource;
            if (!procfs.exists(path)) {
                continue;
            }
            for (String line : procfs.lines(path)) {
                if (line.startsWith("some ")) {
                    for (String field : Procfs.fields(line)) {
                        if (field.startsWith("avg10=")) {
                            out.gauge("psi_" + resource + "_some_ratio", Double.parseDouble(field.substring(6)) / 100.0);
                        }
                    }
                }
            }
        }
    }
}
