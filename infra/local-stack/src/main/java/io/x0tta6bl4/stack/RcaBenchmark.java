package io.x0tta6bl4.stack;

import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Series;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Signal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code x0 bench rca}: time to rank one incident's candidates with the RCA library DiagnoseJob and
 * {@code x0 evaluate petshop} use, on synthetic incidents of the size the issue sets (50 candidate entities, a
 * 60-sample baseline and a 60-sample window per series, three statistics per entity), each with one culprit
 * deep in a random call graph. Prints p50/p99 against the target of 50 ms and how often the culprit ranked first.
 */
@Command(name = "rca", mixinStandardHelpOptions = true, description = "Root-cause ranking time per incident.")
final class RcaBenchmark implements Callable<Integer> {
    @Option(names = "--entities", defaultValue = "50", description = "candidate entities per incident (default ${DEFAULT-VALUE})")
    int entities;

    @Option(names = "--samples", defaultValue = "60", description = "samples per baseline and per window (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--incidents", defaultValue = "2000", description = "incidents to rank (default ${DEFAULT-VALUE})")
    int incidents;

    private record Case(RootCauseAnalysis rca, List<Series> series, String culprit) {}

    @Override
    public Integer call() {
        SplittableRandom random = new SplittableRandom(7);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            cases.add(synthetic(random));
        }
        for (int i = 0; i < 500; i++) { // JIT warm-up
            Case c = cases.get(i % cases.size());
            c.rca().rank("e0", Signal.LATENCY, c.series());
        }
        double[] millis = new double[incidents];
        int first = 0;
        for (int i = 0; i < incidents; i++) {
            Case c = cases.get(i % cases.size());
            long start = System.nanoTime();
            var ranked = c.rca().rank("e0", Signal.LATENCY, c.series());
            millis[i] = (System.nanoTime() - start) / 1e6;
            if (ranked.get(0).entity().equals(c.culprit())) {
                first++;
            }
        }
        Arrays.sort(millis);
        double p50 = millis[incidents / 2];
        double p99 = millis[(int) (incidents * 0.99)];
        System.out.printf(Locale.ROOT, "rca: %d entities x 3 series, %d+%d samples: p50 %.3f ms, p99 %.3f ms per incident   target <= 50 ms   %s%n",
                entities, samples, samples, p50, p99, p99 <= 50 ? "MET" : "NOT MET");
        System.out.printf(Locale.ROOT, "     culprit ranked first in %.1f%% of %d synthetic incidents%n", 100.0 * first / incidents, incidents);
        return 0;
    }

    /** A random call tree under e0; a culprit at depth >= 2 whose latency rise propagates to every caller above it. */
    private Case synthetic(SplittableRandom random) {
        RootCauseAnalysis rca = new RootCauseAnalysis();
        int[] parent = new int[entities];
        for (int i = 1; i < entities; i++) {
            parent[i] = random.nextInt(i);
            rca.depends("e" + parent[i], "e" + i);
        }
        int culprit;
        do {
            culprit = 1 + random.nextInt(entities - 1);
        } while (parent[culprit] == 0);
        boolean[] affected = new boolean[entities];
        for (int e = culprit; ; e = parent[e]) {
            affected[e] = true;
            if (e == 0) {
                break;
            }
        }
        List<Series> series = new ArrayList<>();
        for (int e = 0; e < entities; e++) {
            double level = 0.01 + random.nextDouble() * 0.1;
            for (String statistic : new String[] {"Average", "p50", "p99"}) {
                double scale = statistic.equals("p99") ? 3 : 1;
                double[] base = new double[samples];
                double[] window = new double[samples];
                for (int i = 0; i < samples; i++) {
                    base[i] = level * scale * (1 + 0.05 * random.nextDouble());
                    window[i] = level * scale * (1 + 0.05 * random.nextDouble()) + (affected[e] && i >= samples / 2 ? 0.2 : 0);
                }
                series.add(new Series("e" + e, Signal.LATENCY, statistic, base, window));
            }
        }
        return new Case(rca, series, "e" + culprit);
    }
}
