package io.x0tta6bl4.jobs.diagnose;

import io.x0tta6bl4.schema.Evidence;
import io.x0tta6bl4.schema.RootCause;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks an incident's anomalous series as candidate root causes. A cause precedes its symptoms, so the
 * earliest onset weighs most; how far the series strayed breaks near-ties. Onset times are only known to
 * the sample interval, so onset weight decays smoothly (half-life {@code onsetHalfLifeMs}) instead of a
 * strict "first wins".
 */
public final class RootCauseRanker {
    private final long onsetHalfLifeMs;

    public RootCauseRanker(long onsetHalfLifeMs) {
        this.onsetHalfLifeMs = onsetHalfLifeMs;
    }

    public List<RootCause> rank(Collection<AnomalyEntry> anomalies) {
        long earliest = anomalies.stream().mapToLong(a -> a.startMs).min().orElse(0);
        List<RootCause> causes = new ArrayList<>();
        for (AnomalyEntry a : anomalies) {
            double lag = Math.max(0, a.startMs - earliest);
            double onset = Math.pow(0.5, lag / onsetHalfLifeMs);
            double score = 0.6 * onset + 0.4 * a.score;
            FaultKind kind = FaultKind.ofMetric(a.metric);
            causes.add(RootCause.newBuilder()
                    .setNodeId(a.nodeId)
                    .setMetric(a.metric)
                    .setKind(kind.id())
                    .setScore(score)
                    .setEvidence(List.of(
                            new Evidence("onset", onset, "started " + (long) lag + " ms after the incident's first anomaly"),
                            new Evidence("deviation", a.score, String.format("observed %.4g vs expected %.4g", a.observed, a.expected))))
                    .build());
        }
        causes.sort(Comparator.comparingDouble(RootCause::getScore).reversed().thenComparing(RootCause::getMetric));
        return causes;
    }
}
