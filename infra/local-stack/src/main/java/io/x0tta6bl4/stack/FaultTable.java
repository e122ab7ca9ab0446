package io.x0tta6bl4.stack;

import io.x0tta6bl4.exporter.sim.Fault;
import io.x0tta6bl4.exporter.sim.SimulatedNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's closing table: per injected fault, each stage of the loop and the MTTD/MTTR it adds up to. A node that went
 * down is detected and diagnosed like any fault, but no command can reach it: HealJob notifies, and the node comes back
 * by itself. Its row says so, and the means are over the faults a command cures.
 */
final class FaultTable {
    /** One injected fault and what became of it. */
    static final class Row {
        final String nodeId;
        final Fault fault;
        final long injectedAtMs;
        volatile long clearedAtMs;

        Row(String nodeId, Fault fault, long injectedAtMs) {
            this.nodeId = nodeId;
            this.fault = fault;
            this.injectedAtMs = injectedAtMs;
        }
    }

    private FaultTable() {}

    static void print(PrintStream out, long startMs, List<Row> rows, LoopObserver observer) {
        String format = "%-13s %-9s %9s %9s  %-25s %-44s %-19s %9s %7s %7s%n";
        out.printf(Locale.ROOT, format, "fault", "node", "injected", "detected", "root cause (ranked 1st)", "command",
                "agent", "cleared", "MTTD", "MTTR");
        List<Double> mttd = new ArrayList<>();
        List<Double> mttr = new ArrayList<>();
        for (Row row : rows) {
            LoopObserver.NodeTrace t = observer.trace(row.nodeId);
            String cause = t.rootCauseMetric == null ? "-" : t.rootCauseMetric + (t.rootCauseMetric.equals(row.fault.primaryMetric()) ? " ✓" : " ✗");
            String action = t.commandAction != null ? t.commandAction : t.decidedAction;
            String command = t.commandAtMs == 0 ? "-" : action + " (" + t.commandSignatures + " sig" + (t.commandSealed ? ", sealed" : "") + ")"
                    + (t.decisions.stream().anyMatch(d -> d.startsWith("APPROVED")) ? " approved" : "");
            if (!row.fault.curable() && t.commandAtMs == 0 && t.decisions.stream().anyMatch(d -> d.startsWith("SKIPPED"))) {
                command = "none: notify only";
            }
            String agent = t.resultOutcome == null ? "-" : ("EXECUTED".equals(t.resultOutcome) ? "verified, executed" : t.resultOutcome);
            Double d = t.firstAnomalyAtMs == 0 ? null : (t.firstAnomalyAtMs - row.injectedAtMs) / 1000.0;
            Double r = row.clearedAtMs == 0 || !row.fault.curable() ? null : (row.clearedAtMs - row.injectedAtMs) / 1000.0;
            if (row.fault.curable()) {
                if (d != null) mttd.add(d);
                if (r != null) mttr.add(r);
            }
            out.printf(Locale.ROOT, format, row.fault, row.nodeId, at(startMs, row.injectedAtMs), at(startMs, t.firstAnomalyAtMs),
                    cause, command, agent, at(startMs, row.clearedAtMs), secs(d), secs(r));
        }
        long curable = rows.stream().filter(r -> r.fault.curable()).count();
        out.printf(Locale.ROOT, "mean MTTD %s, mean MTTR %s over %d faults a command cures (%d detected, %d cleared); times are seconds since start%n",
                secs(mean(mttd)), secs(mean(mttr)), curable, mttd.size(), mttr.size());
        for (Row row : rows) {
            if (!row.fault.curable()) {
                LoopObserver.NodeTrace t = observer.trace(row.nodeId);
                out.printf(Locale.ROOT, "%s on %s: no telemetry from %s; reported %s after it went down (the local stack calls a node silent after "
                        + "%d s without a batch), no command sent (none reaches a node that is down); back by itself after %d s%n",
                        row.fault, row.nodeId, at(startMs, row.injectedAtMs),
                        t.firstAnomalyAtMs == 0 ? "never" : secs((t.firstAnomalyAtMs - row.injectedAtMs) / 1000.0),
                        LocalStack.LOCAL_NODE_SILENT_AFTER_MS / 1000, SimulatedNode.DOWN_FOR_MS / 1000);
            }
        }
    }

    private static String at(long startMs, long atMs) {
        return atMs == 0 ? "-" : String.format(Locale.ROOT, "T+%.1f", (atMs - startMs) / 1000.0);
    }

    private static String secs(Double s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.1fs", s);
    }

    private static Double mean(List<Double> values) {
        return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
