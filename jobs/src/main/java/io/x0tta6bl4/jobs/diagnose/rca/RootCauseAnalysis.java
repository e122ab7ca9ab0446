package io.x0tta6bl4.jobs.diagnose.rca;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ranks the candidate root causes of a symptom over a dependency graph.
 *
 * <ol>
 *   <li><b>Candidates</b> are the symptom's entity and everything it depends on (callees, transitively):
 *       a cause must be able to reach the symptom.</li>
 *   <li><b>Deviation</b> of each candidate, as BARO/N-Sigma do: for every series of the symptom's signal kind
 *       (a latency symptom is explained by latencies, an availability symptom by availabilities), how far the
 *       incident window strays from the baseline's median, in robust scale units (1.4826 MAD, with floors so a
 *       near-constant series is not infinitely sensitive), in the direction that is bad. Taking the window's
 *       worst sample makes the score insensitive to where exactly in the window the fault began.</li>
 *   <li><b>Which statistic</b>: a mean is additive along synchronous calls (the callee's time is part of the
 *       caller's), percentiles are not; so where an entity has a mean series, it is scored on the mean, and only
 *       entities without one on their worst statistic.</li>
 *   <li><b>Propagation</b>: an entity is probably a victim when an anomalous dependency's excess, in the metric's
 *       own units (seconds of latency, points of availability), accounts for at least half of its own excess; it
 *       is discounted. Entities seen only from their callers (remote endpoints, client-side proxies) are
 *       discounted too, since their numbers are their callers' view.</li>
 * </ol>
 * Entities without data score 0 and rank last; a missing series is skipped. Nothing is tuned per incident.
 */
public final class RootCauseAnalysis {
    /** How much a victim of a deviating dependency, and a caller-observed entity, are discounted. */
    static final double EXPLAINED_DISCOUNT = 0.5;
    static final double CALLER_OBSERVED_DISCOUNT = 0.5;
    /** A dependency explains a caller's excess when its own excess is at least this fraction of it (and it is anomalous). */
    static final double EXPLAINS_FRACTION = 0.5;
    static final double ANOMALOUS = 3.0;
    static final double CAP = 1000.0;

    /** The kinds of signal, the direction that is bad, and the smallest scale a deviation is measured in. */
    public enum Signal {
        LATENCY(true, 0.05, 1e-6),
        ERRORS(true, 0.05, 1e-6),
        UTILIZATION(true, 0.02, 1e-3),
        AVAILABILITY(false, 0.0, 1.0);

        final boolean higherIsWorse;
        final double relativeFloor;
        final double absoluteFloor;

        Signal(boolean higherIsWorse, double relativeFloor, double absoluteFloor) {
            this.higherIsWorse = higherIsWorse;
            this.relativeFloor = relativeFloor;
            this.absoluteFloor = absoluteFloor;
        }

        public static Signal of(String name) {
            return valueOf(name.toUpperCase());
        }
    }

    /** One series of an entity: its baseline and the incident window. NaN marks a missing sample. */
    public record Series(String entity, Signal signal, String statistic, double[] baseline, double[] window) {}

    /** A ranked candidate with its score and why. */
    public record Candidate(String entity, double score, double deviation, String evidence) {}

    /**
     * How far one entity strayed: in robust scale units, and its excess over the baseline in the metric's own
     * units (NaN when entities are not measured in one unit, e.g. whole nodes with different faulty metrics:
     * then a dependency explains a caller when its robust deviation is at least half the caller's).
     */
    public record Deviation(double robust, double excess, String what) {
        static final Deviation NONE = new Deviation(0, 0, "no deviating data");
    }

    private final Map<String, Set<String>> callees = new HashMap<>();
    private final Set<String> callerObserved = new LinkedHashSet<>();

    /** Adds a dependency: {@code caller} calls (or runs on) {@code callee}. */
    public RootCauseAnalysis depends(String caller, String callee) {
        callees.computeIfAbsent(caller, k -> new LinkedHashSet<>()).add(callee);
        return this;
    }

    /** Marks an entity whose metrics are only its callers' view of it (a remote endpoint, a client-side proxy). */
    public RootCauseAnalysis callerObserved(String entity) {
        callerObserved.add(entity);
        return this;
    }

    public List<Candidate> rank(String symptomEntity, Signal symptomSignal, List<Series> series) {
        Set<String> candidates = dependencies(symptomEntity);
        candidates.add(symptomEntity);
        record Worst(Series series, Deviation deviation) {}
        Map<String, Worst> worstOfMean = new HashMap<>();
        Map<String, Worst> worstOfAny = new HashMap<>();
        for (Series s : series) {
            if (s.signal() != symptomSignal || !candidates.contains(s.entity())) {
                continue;
            }
            Deviation d = deviation(s);
            Map<String, Worst> target = isMean(s.statistic()) ? worstOfMean : worstOfAny;
            Worst kept = target.get(s.entity());
            if (d.robust() > (kept == null ? 0 : kept.deviation().robust())) {
                target.put(s.entity(), new Worst(s, d));
            }
        }
        Map<String, Worst> worst = new HashMap<>(worstOfAny);
        worst.putAll(worstOfMean); // the mean wins where there is one
        Map<String, Deviation> deviation = new HashMap<>();
        worst.forEach((entity, w) -> deviation.put(entity, new Deviation(w.deviation().robust(), w.deviation().excess(),
                String.format("%s/%s %.1f robust units off baseline (%+.4g)", w.series().signal().name().toLowerCase(),
                        w.series().statistic(), w.deviation().robust(), w.deviation().excess()))));
        return rank(symptomEntity, deviation);
    }

    /**
     * Ranks the symptom's entity and its dependencies given each one's deviation (entities absent from the map
     * have no deviating data). This is the step DiagnoseJob uses across nodes, whose deviations come from anomalies.
     */
    public List<Candidate> rank(String symptomEntity, Map<String, Deviation> deviation) {
        Set<String> candidates = dependencies(symptomEntity);
        candidates.add(symptomEntity);
        List<Candidate> ranked = new ArrayList<>();
        for (String entity : candidates) {
            Deviation d = deviation.getOrDefault(entity, Deviation.NONE);
            double score = Math.log1p(d.robust());
            StringBuilder why = new StringBuilder(d.robust() == 0 ? "no deviating data" : d.what());
            String explainer = null;
            for (String dep : dependencies(entity)) {
                Deviation dd = deviation.getOrDefault(dep, Deviation.NONE);
                boolean accountsForIt = Double.isNaN(dd.excess()) || Double.isNaN(d.excess())
                        ? dd.robust() >= EXPLAINS_FRACTION * d.robust()
                        : dd.excess() >= EXPLAINS_FRACTION * d.excess();
                if (dd.robust() > ANOMALOUS && accountsForIt) {
                    explainer = dep;
                    break;
                }
            }
            if (explainer != null && d.robust() > 0) {
                score *= EXPLAINED_DISCOUNT;
                why.append("; likely a victim of ").append(explainer);
            }
            if (callerObserved.contains(entity)) {
                score *= CALLER_OBSERVED_DISCOUNT;
                why.append("; seen only by its callers");
            }
            ranked.add(new Candidate(entity, score, d.robust(), why.toString()));
        }
        ranked.sort(Comparator.comparingDouble(Candidate::score).reversed().thenComparing(Candidate::entity));
        return ranked;
    }

    private static boolean isMean(String statistic) {
        return statistic.equalsIgnoreCase("average") || statistic.equalsIgnoreCase("mean") || statistic.equalsIgnoreCase("avg");
    }

    static Deviation deviation(Series s) {
        double[] base = Arrays.stream(s.baseline()).filter(Double::isFinite).sorted().toArray();
        double[] win = Arrays.stream(s.window()).filter(Double::isFinite).toArray();
        if (base.length < 5 || win.length == 0) {
            return Deviation.NONE;
        }
        double median = median(base);
        double[] abs = Arrays.stream(base).map(v -> Math.abs(v - median)).sorted().toArray();
        double scale = Math.max(1.4826 * median(abs), Math.max(s.signal().relativeFloor * Math.abs(median), s.signal().absoluteFloor));
        double worst = s.signal().higherIsWorse ? Arrays.stream(win).max().getAsDouble() : Arrays.stream(win).min().getAsDouble();
        double excess = s.signal().higherIsWorse ? worst - median : median - worst;
        return new Deviation(Math.max(0, Math.min(CAP, excess / scale)), Math.max(0, excess), "");
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Everything {@code entity} depends on, transitively (not itself). */
    public Set<String> dependencies(String entity) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(callees.getOrDefault(entity, Set.of()));
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (seen.add(next)) {
                todo.addAll(callees.getOrDefault(next, Set.of()));
            }
        }
        seen.remove(entity);
        return seen;
    }
}
