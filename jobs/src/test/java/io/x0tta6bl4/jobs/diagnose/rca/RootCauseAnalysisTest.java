package io.x0tta6bl4.jobs.diagnose.rca;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Candidate;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Series;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Synthetic dependency graphs with a known culprit. */
class RootCauseAnalysisTest {
    final Random random = new Random(11);
    final List<Series> series = new ArrayList<>();

    /** A latency series around {@code level}; the window rises by {@code rise} from sample {@code onset} on. */
    void latency(String entity, double level, double rise, int onset) {
        double[] base = new double[60];
        for (int i = 0; i < base.length; i++) {
            base[i] = level * (1 + 0.05 * random.nextGaussian());
        }
        double[] window = new double[10];
        for (int i = 0; i < window.length; i++) {
            window[i] = level * (1 + 0.05 * random.nextGaussian()) + (i >= onset ? rise : 0);
        }
        series.add(new Series(entity, Signal.LATENCY, "p90", base, window));
    }

    /** Like {@link #latency} with the given statistic name. */
    void latency(String entity, String statistic, double level, double rise) {
        latency(entity, level, rise, 0);
        Series s = series.remove(series.size() - 1);
        series.add(new Series(entity, Signal.LATENCY, statistic, s.baseline(), s.window()));
    }

    static List<String> names(List<Candidate> ranked) {
        return ranked.stream().map(Candidate::entity).toList();
    }

    @Test
    void chainTheDeepestDeviatingServiceIsTheCause() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("web", "api").depends("api", "db");
        latency("web", 0.1, 0.5, 2);
        latency("api", 0.05, 0.5, 2);
        latency("db", 0.01, 0.5, 2);
        assertThat(names(rca.rank("web", Signal.LATENCY, series))).first().isEqualTo("db");
    }

    @Test
    void fanInTheSharedDependencyExplainsBothCallers() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("front", "a").depends("front", "b").depends("a", "cache").depends("b", "cache");
        latency("front", 0.1, 0.4, 3);
        latency("a", 0.05, 0.4, 3);
        latency("b", 0.05, 0.4, 3);
        latency("cache", 0.002, 0.4, 3);
        assertThat(names(rca.rank("front", Signal.LATENCY, series))).first().isEqualTo("cache");
    }

    @Test
    void fanOutOnlyTheDeviatingBranchIsBlamed() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("gw", "s1").depends("gw", "s2").depends("gw", "s3");
        latency("gw", 0.1, 0.3, 1);
        latency("s1", 0.05, 0, 0);
        latency("s2", 0.05, 0.3, 1);
        latency("s3", 0.05, 0, 0);
        List<Candidate> ranked = rca.rank("gw", Signal.LATENCY, series);
        assertThat(names(ranked)).first().isEqualTo("s2");
        assertThat(ranked.get(0).evidence()).contains("latency/p90");
    }

    @Test
    void noisyBystanderOutsideTheSymptomsDependenciesIsNeverACandidate() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("web", "api").depends("batch", "warehouse");
        latency("web", 0.1, 0.2, 4);
        latency("api", 0.05, 0.2, 4);
        latency("warehouse", 0.05, 50, 0); // wildly off, but web does not depend on it
        assertThat(names(rca.rank("web", Signal.LATENCY, series))).containsExactly("api", "web");
    }

    @Test
    void onsetAnywhereInTheWindowGivesTheSameAnswer() {
        for (int onset : new int[] {0, 4, 8}) {
            series.clear();
            RootCauseAnalysis rca = new RootCauseAnalysis().depends("web", "api").depends("api", "db");
            latency("web", 0.1, 0.5, onset);
            latency("api", 0.05, 0.5, onset);
            latency("db", 0.01, 0.5, onset);
            assertThat(names(rca.rank("web", Signal.LATENCY, series))).as("onset at sample " + onset).first().isEqualTo("db");
        }
    }

    @Test
    void entitiesWithoutDataRankLastAndCallerViewsAreDiscounted() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("web", "svc").depends("web", "svc_remote").depends("web", "dark")
                .callerObserved("svc_remote");
        latency("web", 0.1, 0.3, 2);
        latency("svc", 0.05, 0.3, 2);
        latency("svc_remote", 0.05, 0.3, 2);
        List<Candidate> ranked = rca.rank("web", Signal.LATENCY, series);
        assertThat(names(ranked)).startsWith("svc").endsWith("dark");
        assertThat(ranked.get(ranked.size() - 1).evidence()).isEqualTo("no deviating data");
    }

    @Test
    void availabilitySymptomsAreExplainedByAvailabilityDrops() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("site", "orders").depends("site", "search");
        double[] healthy = new double[60];
        java.util.Arrays.fill(healthy, 100.0);
        series.add(new Series("site", Signal.AVAILABILITY, "Average", healthy, new double[] {100, 99, 98.5, 99}));
        series.add(new Series("orders", Signal.AVAILABILITY, "Average", healthy, new double[] {100, 96, 94, 97}));
        latency("search", 0.05, 1.0, 0); // a latency spike cannot explain lost availability
        assertThat(names(rca.rank("site", Signal.AVAILABILITY, series))).first().isEqualTo("orders");
    }

    @Test
    void calleeWhoseSecondsAccountForTheCallersIsTheCauseThoughItDeviatesLessInRobustUnits() {
        // The caller is very steady, so its 0.3 s excess is many robust units; the table's 0.28 s is fewer, but
        // it is nearly all of the caller's excess: the caller is its victim.
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("search", "table");
        latency("search", "Average", 0.02, 0.30);
        latency("table", "Average", 0.10, 0.28);
        List<Candidate> ranked = rca.rank("search", Signal.LATENCY, series);
        assertThat(names(ranked)).containsExactly("table", "search");
        assertThat(ranked.get(1).evidence()).contains("likely a victim of table");
    }

    @Test
    void anomalousDependencyThatAddsOnlyMillisecondsDoesNotExplainTheCaller() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("pay", "db");
        latency("pay", "Average", 0.10, 0.20);
        latency("db", "Average", 0.002, 0.0025); // 2.5 ms more: ~25 robust units, but not the caller's 200 ms
        assertThat(names(rca.rank("pay", Signal.LATENCY, series))).first().isEqualTo("pay");
    }

    @Test
    void meanIsScoredWhereThereIsOneNotTheNoisiestPercentile() {
        RootCauseAnalysis rca = new RootCauseAnalysis().depends("front", "a").depends("front", "b");
        latency("front", "Average", 0.1, 0.0);
        latency("a", "Average", 0.05, 0.01);
        latency("a", "p99", 0.05, 5.0); // a tail blip on a
        latency("b", "Average", 0.05, 0.2); // b's mean is what moved
        latency("b", "p99", 0.05, 0.2);
        assertThat(names(rca.rank("front", Signal.LATENCY, series))).first().isEqualTo("b");
    }
}
