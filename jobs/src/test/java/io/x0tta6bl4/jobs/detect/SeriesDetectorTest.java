package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SeriesDetectorTest {
    private static final long FIVE_MINUTES = 300_000L;
    private static final TypeSerializer<SeriesState> STATE_SERIALIZER =
            TypeInformation.of(SeriesState.class).createSerializer(new SerializerConfigImpl());
    private final SeriesDetector detector = new SeriesDetector(DetectorSettings.defaults());
    private final SeriesDetector withoutRange = new SeriesDetector(DetectorSettings.defaults().with(java.util.Map.of("rangeWeight", "0")));

    /** Feeds values every {@code stepMs}; returns sample indexes where episodes started, and -(i+1) where they ended. */
    private List<Integer> run(SeriesState state, double[] values, long stepMs) {
        return run(detector, state, values, stepMs);
    }

    private static List<Integer> run(SeriesDetector detector, SeriesState state, double[] values, long stepMs) {
        List<Integer> transitions = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            SeriesDetector.Transition t = detector.update(state, stepMs * (i + 1), values[i], false);
            if (t == SeriesDetector.Transition.STARTED) {
                transitions.add(i);
            } else if (t == SeriesDetector.Transition.ENDED) {
                transitions.add(-i - 1);
            }
        }
        return transitions;
    }

    private List<Integer> run(double[] values) {
        return run(new SeriesState(), values, 1000);
    }

    private static List<Integer> starts(List<Integer> transitions) {
        return transitions.stream().filter(i -> i >= 0).toList();
    }

    private static double[] noisy(int n, double mean, double sd, long seed) {
        Random random = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + random.nextGaussian() * sd;
        }
        return v;
    }

    /** A daily wave sampled every 5 minutes (288 samples a day) with a little noise. */
    private static double[] daily(int days, long seed) {
        double[] v = noisy(days * 288, 0, 0.5, seed);
        for (int i = 0; i < v.length; i++) {
            v[i] += 50 + 20 * Math.sin(2 * Math.PI * i / 288.0);
        }
        return v;
    }

    /** A series' state as Flink checkpoints it (its POJO serializer). */
    private static byte[] checkpointed(SeriesState state) throws java.io.IOException {
        DataOutputSerializer out = new DataOutputSerializer(8192);
        STATE_SERIALIZER.serialize(state, out);
        return out.getCopyOfBuffer();
    }

    private static SeriesState restored(byte[] checkpoint) throws java.io.IOException {
        return STATE_SERIALIZER.deserialize(new DataInputDeserializer(checkpoint));
    }

    @Test
    void stationaryNoiseRaisesNoAlarm() {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(run(noisy(5_000, 0.3, 0.02, seed))).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void theRangeMemberAddsNoFalseAlarmOnStationaryNoise() {
        for (long seed = 1; seed <= 5; seed++) {
            double[] v = noisy(20_000, 0.3, 0.02, seed);
            List<Integer> without = starts(run(withoutRange, new SeriesState(), v, FIVE_MINUTES));
            assertThat(starts(run(new SeriesState(), v, FIVE_MINUTES))).as("seed %d", seed).isEqualTo(without);
        }
    }

    @Test
    void stepIsDetectedOnItsFirstSampleAndEndsAfterTheLevelReturns() {
        double[] v = noisy(200, 0.2, 0.01, 2);
        for (int i = 100; i < 130; i++) {
            v[i] += 0.7;
        }
        List<Integer> t = run(v);
        assertThat(t).hasSize(2);
        assertThat(t.get(0)).isBetween(100, 101);
        int end = -t.get(1) - 1;
        assertThat(end).isBetween(130 + DetectorSettings.defaults().clearSamples() - 1, 130 + DetectorSettings.defaults().clearSamples() + 5);
    }

    @Test
    void spikeIsOneShortEpisode() {
        double[] v = noisy(200, 5, 0.1, 3);
        v[120] = 50;
        List<Integer> t = run(v);
        assertThat(t).containsExactly(120, -(120 + DetectorSettings.defaults().clearSamples()) - 1);
    }

    @Test
    void driftIsDetected() {
        double[] v = noisy(300, 0.4, 0.01, 4);
        for (int i = 150; i < 300; i++) {
            v[i] += 0.01 * (i - 149);
        }
        List<Integer> s = starts(run(v));
        assertThat(s).isNotEmpty();
        assertThat(s.get(0)).isBetween(150, 160);
    }

    @Test
    void varianceIncreaseIsDetected() {
        double[] v = noisy(400, 1.0, 0.01, 5);
        double[] wild = noisy(200, 0, 0.5, 6);
        for (int i = 200; i < 400; i++) {
            v[i] += wild[i - 200];
        }
        List<Integer> s = starts(run(v));
        assertThat(s).isNotEmpty();
        assertThat(s.get(0)).isBetween(200, 205);
    }

    @Test
    void seasonalSeriesIsLearntAndRaisesNoAlarm() {
        SeriesState state = new SeriesState();
        assertThat(run(state, daily(7, 7), FIVE_MINUTES)).isEmpty();
        assertThat(SeriesDetector.currentBaselineName(state)).isEqualTo("daily");
    }

    @Test
    void seasonalBreakIsDetectedThoughTheValueStaysInTheUsualRange() {
        double[] v = daily(7, 8);
        int breakAt = 6 * 288 + 60; // day 7, the wave goes flat at its mean for four hours
        for (int i = breakAt; i < breakAt + 48; i++) {
            v[i] = 50 + (v[i] - 50 - 20 * Math.sin(2 * Math.PI * i / 288.0));
        }
        List<Integer> s = starts(run(new SeriesState(), v, FIVE_MINUTES));
        assertThat(s).hasSize(1);
        assertThat(s.get(0)).isBetween(breakAt, breakAt + 6);
    }

    @Test
    void withinTheRearmPeriodOnlyAClearlyStrongerDeviationAlarmsAgain() {
        double[] v = noisy(400, 10, 0.1, 12);
        v[150] = v[151] = 10.6; // a moderate two-sample step (6 sigma): episode one
        v[200] = v[201] = 10.6; // the same again 50 samples later: inside the re-arm period, no new alarm
        v[260] = 40;            // a far larger spike, still inside it: alarms
        List<Integer> s = starts(run(v));
        assertThat(s).containsExactly(150, 260);
    }

    @Test
    void nonFiniteValuesAndDisorderAreSkipped() {
        SeriesState s = new SeriesState();
        for (int i = 1; i <= 30; i++) {
            detector.update(s, i * 1000L, 1.0 + (i % 2) * 0.01, false);
        }
        long samples = s.samples;
        assertThat(detector.update(s, 31_000, Double.NaN, false)).isEqualTo(SeriesDetector.Transition.NONE);
        assertThat(detector.update(s, 32_000, Double.POSITIVE_INFINITY, false)).isEqualTo(SeriesDetector.Transition.NONE);
        assertThat(detector.update(s, 10_000, 500, false)).isEqualTo(SeriesDetector.Transition.NONE);
        assertThat(s.samples).isEqualTo(samples);
    }

    @Test
    void counterResetIsNotARateSpike() {
        SeriesState s = new SeriesState();
        double total = 0;
        List<SeriesDetector.Transition> seen = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            total = i == 40 ? 3 : total + 100 + (i % 3); // the counter restarts at sample 40
            seen.add(detector.update(s, i * 1000L, total, true));
        }
        assertThat(seen).containsOnly(SeriesDetector.Transition.NONE);
        assertThat(s.levelValue).as("level baseline: a rate per second, not a total").isBetween(95f, 110f);
    }

    @Test
    void deviationTheSeriesShowsOftenStopsAlarming() {
        double[] v = noisy(3_000, 10, 0.2, 9);
        for (int i = 100; i < v.length; i += 40) {
            v[i] += 1; // a two-sample 5-sigma blip every 40 samples is this series' normal behaviour
            v[i + 1] += 1;
        }
        List<Integer> s = starts(run(v));
        assertThat(s).isNotEmpty();
        assertThat(s.get(s.size() - 1)).as("the last alarm comes early").isLessThan(1_500);
    }

    @Test
    void aLargeBurstThatRecursStopsAlarmingButAMuchLargerOneAlarms() {
        // A 5-minute series with a 25-sigma one-sample burst about twice a day (jittered), then a burst three times as large.
        double[] v = noisy(4_000, 100, 1, 12);
        Random jitter = new Random(13);
        List<Integer> bursts = new ArrayList<>();
        for (int at = 400; at < 3_500; at += 130 + jitter.nextInt(40)) {
            v[at] += 25;
            bursts.add(at);
        }
        v[3_800] += 75;
        List<Integer> s = starts(run(new SeriesState(), v, FIVE_MINUTES));
        assertThat(s).as("the first burst of its size is news").contains(bursts.get(0));
        assertThat(s.stream().filter(i -> i > bursts.get(5) && i < 3_800))
                .as("after a few repeats the series' bursts are its habit, though each is far outside its baseline's noise").isEmpty();
        assertThat(s).as("three times the usual burst").contains(3_800);
    }

    @Test
    void aBurstAboveEveryEarlierOneAlarmsThoughBurstsAreTheSeriesHabit() {
        // Bursts of 15 to 25 sigma about twice a day are this series' habit; then one of 28: as a deviation it is one
        // more of its kind (the calibration discounts it by their frequency), but no value of the series ever rose so high.
        double[] v = noisy(4_000, 100, 1, 21);
        Random heights = new Random(22);
        for (int at = 400; at < 3_500; at += 150) {
            v[at] += 15 + 10 * heights.nextDouble();
        }
        v[3_800] += 28;
        List<Integer> without = starts(run(withoutRange, new SeriesState(), v, FIVE_MINUTES));
        List<Integer> with = starts(run(new SeriesState(), v, FIVE_MINUTES));
        assertThat(without).as("without the range member the highest burst passes as one more of the habit").doesNotContain(3_800);
        assertThat(with).as("above every earlier value").contains(3_800);
        double[] highestBefore = new double[v.length];
        for (int i = 1; i < v.length; i++) {
            highestBefore[i] = Math.max(highestBefore[i - 1], v[i - 1]);
        }
        // The range forgets slowly: a burst as high as the old record, long after it, is at the top of the range again.
        assertThat(with.stream().filter(i -> !without.contains(i)))
                .as("every alarm the member adds is for a value at least as high as the highest before, within the noise's sigma")
                .isNotEmpty()
                .allMatch(i -> v[i] >= highestBefore[i] - 1);
    }

    @Test
    void aSpikeInTheSeriesUsualShapeIsAHabitButTheSameSizeInANewShapeIsNews() {
        // One-sample spikes of 5.5 sigma about every 40 samples are this series' habit: too small for the recurring-burst
        // rule, and frequent enough to be in the calibration's counts, which still leave each a surprise. Then a drop of
        // the same size: as large a deviation as the spikes, in a shape the series never showed.
        SeriesDetector shapeBlind = new SeriesDetector(DetectorSettings.defaults().with(java.util.Map.of("familiarShapeWeight", "1")));
        List<Integer> blindSpikes = new ArrayList<>();
        List<Integer> seeingSpikes = new ArrayList<>();
        for (long seed : new long[] {31, 41}) {
            double[] v = noisy(4_000, 100, 1, seed);
            Random jitter = new Random(seed + 1);
            for (int at = 200; at < 3_800; at += 30 + jitter.nextInt(20)) {
                v[at] += 5.5;
            }
            int drop = 3_900;
            v[drop] -= 5.5;
            int settled = 2_000; // the novelty member has long warmed up and learnt the spike's shape
            List<Integer> blind = starts(run(shapeBlind, new SeriesState(), v, FIVE_MINUTES)).stream().filter(i -> i >= settled).toList();
            List<Integer> seeing = starts(run(new SeriesState(), v, FIVE_MINUTES)).stream().filter(i -> i >= settled).toList();
            blind.stream().filter(i -> i < drop).forEach(blindSpikes::add);
            seeing.stream().filter(i -> i < drop).forEach(seeingSpikes::add);
            assertThat(seeing).as("seed %d: the same size in a new shape", seed).contains(drop);
        }
        assertThat(blindSpikes).as("counting deviations by size alone, routine spikes keep alarming").hasSizeGreaterThanOrEqualTo(6);
        // Not none: a spike that lands on a noise extreme makes a window farther than usual from the spike prototypes.
        assertThat(seeingSpikes).as("a spike of the usual shape is a habit: %s against %s", seeingSpikes, blindSpikes)
                .hasSizeLessThanOrEqualTo(blindSpikes.size() * 2 / 3);
    }

    @Test
    void aFaultThatRecursIsReportedEveryTimeThoughItsShapeIsFamiliar() {
        // The same 12-sigma fault, 30 samples long, every 500 samples: healed and back. Its shape is soon familiar to the
        // novelty member, and the calibration has counted its deviations, yet each return is a fault to heal again.
        // (At 8 sigma one return in eleven passes as the series' habit, with or without the familiar-shape discount: the
        // recurring-burst rule judges it by how often such deviations came.)
        double[] v = noisy(6_000, 100, 1, 5);
        List<Integer> faults = new ArrayList<>();
        for (int at = 800; at < 5_900; at += 500) {
            faults.add(at);
            for (int k = 0; k < 30; k++) {
                v[at + k] += 12;
            }
        }
        List<Integer> s = starts(run(new SeriesState(), v, FIVE_MINUTES));
        for (int at : faults) {
            assertThat(s).as("the fault at %d, within 6 samples: %s", at, s).anyMatch(i -> i >= at && i <= at + 6);
        }
    }

    @Test
    void aFewAstronomicalValuesDoNotBlindTheDetectorForGood() {
        double[] v = noisy(6_000, 10, 0.1, 41);
        for (int i = 1_000; i < 1_003; i++) {
            v[i] = 1e300; // a broken exporter: finite, but beyond a float's range
        }
        for (int i = 5_000; i < 5_020; i++) {
            v[i] += 3; // a plain step, long after
        }
        SeriesDetector d = new SeriesDetector(DetectorSettings.defaults());
        SeriesState state = new SeriesState();
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            if (d.update(state, FIVE_MINUTES * (i + 1), v[i], false) == SeriesDetector.Transition.STARTED) {
                starts.add(i);
            }
            if (i > 4_000) {
                assertThat(d.lastZ()).as("sample %d", i).isFinite();
            }
        }
        assertThat(starts).as("the step, long after the astronomical values").anyMatch(i -> i >= 5_000 && i < 5_003);
    }

    @Test
    void finiteValuesBeyondAFloatsRangeDoNotSilenceTheNoveltyMemberForGood() {
        WindowNovelty novelty = new WindowNovelty(DetectorSettings.defaults());
        SeriesState state = new SeriesState();
        Random random = new Random(9);
        for (int i = 0; i < 500; i++) {
            novelty.observe(state, random.nextGaussian(), 1.0);
        }
        for (double huge : new double[] {1e300, -1e300, 1e300, Double.MAX_VALUE, -Double.MAX_VALUE}) {
            novelty.observe(state, huge, 1.0); // a broken exporter's values: finite as doubles, infinite as floats
        }
        double[] z = new double[3_000];
        for (int i = 0; i < z.length; i++) {
            z[i] = novelty.observe(state, random.nextGaussian(), 1.0);
        }
        assertThat(state.logDistanceMean).as("the distance statistics stay numbers").isFinite();
        assertThat(java.util.Arrays.stream(z, 2_000, 3_000).allMatch(Double::isFinite)).as("the member still scores").isTrue();

        // The wild values raised the distance floor far above every ordinary distance; it decays, so the member sees again.
        for (int i = 0; i < 80_000; i++) {
            novelty.observe(state, random.nextGaussian(), 1.0);
        }
        double deepest = 0;
        for (double dip : new double[] {-6, -12, -18, -12, -6, 0, 0, 0}) {
            deepest = Math.max(deepest, novelty.observe(state, random.nextGaussian() + dip, 1.0));
        }
        assertThat(deepest).as("a dip never seen is novel again").isGreaterThan(3.0);
    }

    @Test
    void aShapeNeverSeenIsNovelAndItsRepeatIsFamiliar() {
        WindowNovelty novelty = new WindowNovelty(DetectorSettings.defaults());
        SeriesState state = new SeriesState();
        double[] dip = {0, -6, -12, -18, -12, -6, 0, 0}; // a V-shaped dip, the same each time it comes
        double[] v = noisy(2_000, 50, 1, 31);
        List<Integer> dipsAt = List.of(600, 1_300);
        for (int at : dipsAt) {
            for (int i = 0; i < dip.length; i++) {
                v[at + i] += dip[i];
            }
        }
        double[] z = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            z[i] = novelty.observe(state, v[i], 1.0);
        }
        assertThat(java.util.Arrays.stream(z, 0, 600).filter(Double::isFinite).max().orElseThrow()).as("noise only").isLessThan(3.0);
        assertThat(java.util.Arrays.stream(z, 602, 606).min().orElseThrow()).as("the first dip, whole windows of it").isGreaterThan(3.5);
        assertThat(java.util.Arrays.stream(z, 1_302, 1_306).max().orElseThrow()).as("the same dip again").isLessThan(2.0);
        assertThat(state.prototypeCount).isLessThanOrEqualTo(WindowNovelty.PROTOTYPES);
        assertThat(state.windowPrototypes).hasSize(WindowNovelty.MEMORY_SIZE);
    }

    @Test
    void noveltyMemberIsBoundedWhateverTheSeriesShows() {
        WindowNovelty novelty = new WindowNovelty(DetectorSettings.defaults());
        SeriesState state = new SeriesState();
        Random random = new Random(32);
        for (int i = 0; i < 20_000; i++) {
            double spike = i % 50 == 0 ? 100.0 * (i / 50) : 0; // a spike of a height never seen before, 400 times
            novelty.observe(state, random.nextGaussian() + spike, 1.0);
        }
        assertThat(state.prototypeCount).isEqualTo(WindowNovelty.PROTOTYPES);
        assertThat(state.windowPrototypes).hasSize(WindowNovelty.MEMORY_SIZE);
    }

    @Test
    void theCoordinateByCoordinateLayoutGivesExactlyWhatRowsGive() {
        // Noise with spikes of ever new heights and repeated dips: all 64 prototypes in use, and replaced, in both runs.
        Random random = new Random(77);
        double[] v = new double[30_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian() + (i % 97 == 0 ? 10.0 * (i / 97 % 40) : 0) - (i % 333 < 4 ? 8 : 0);
        }
        WindowNovelty rows = new WindowNovelty(DetectorSettings.defaults(), WindowNovelty.PROTOTYPES); // never rearranged
        WindowNovelty rearranged = new WindowNovelty(DetectorSettings.defaults());
        SeriesState byRow = new SeriesState();
        SeriesState mixed = new SeriesState(); // rows for its first half (as restored from an older savepoint), then rearranged
        for (int i = 0; i < v.length; i++) {
            double expected = rows.observe(byRow, v[i], 1.0);
            double actual = (i < v.length / 2 ? rows : rearranged).observe(mixed, v[i], 1.0);
            assertThat(Double.doubleToRawLongBits(actual)).as("sample %d", i).isEqualTo(Double.doubleToRawLongBits(expected)); // NaN while warming up
            assertThat(mixed.lastNearest).as("sample %d", i).isEqualTo(byRow.lastNearest);
        }
        assertThat(byRow.prototypesByCoordinate).isFalse();
        assertThat(mixed.prototypesByCoordinate).isTrue();
        assertThat(mixed.prototypeCount).isEqualTo(WindowNovelty.PROTOTYPES);
        assertThat(mixed.prototypeLastMatch).containsExactly(byRow.prototypeLastMatch);
    }

    @Test
    void aSeriesRestoredFromACheckpointAnywhereInASlotOrAnEpisodeScoresExactlyAsOneThatNeverStopped() throws Exception {
        // The current slots' values live in fields while the slot lasts and the profile array's copies are stale meanwhile;
        // a checkpoint taken then must restore both, and an open episode's report with them.
        double[] v = daily(4, 21);
        for (int i = 3 * 288 + 100; i < 3 * 288 + 130; i++) {
            v[i] += 30; // a fault on the fourth day: an episode is open across several checkpoints
        }
        SeriesState straight = new SeriesState();
        SeriesState restored = new SeriesState();
        int episodes = 0;
        for (int i = 0; i < v.length; i++) {
            long t = FIVE_MINUTES * (i + 1);
            SeriesDetector.Transition expected = detector.update(straight, t, v[i], false);
            double expectedScore = detector.lastScore();
            SeriesDetector.Transition actual = detector.update(restored, t, v[i], false);
            assertThat(actual).as("sample %d", i).isEqualTo(expected);
            assertThat(detector.lastScore()).as("sample %d", i).isEqualTo(expectedScore);
            episodes += expected == SeriesDetector.Transition.STARTED ? 1 : 0;
            if (i % 7 == 0) { // every 35 minutes: at each of a slot's three samples in turn
                restored = restored(checkpointed(restored));
            }
        }
        assertThat(episodes).as("the fault was detected").isEqualTo(1);
        assertThat(restored.episode.peakScore).isEqualTo(straight.episode.peakScore).isPositive();
    }

    @Test
    void readingSeriesAheadChangesNothingInAnyStateASeriesCanBeIn() throws Exception {
        SeriesState fresh = new SeriesState(); // as the matcher creates it: no member has seen a sample yet
        SeriesState young = new SeriesState();
        run(young, noisy(50, 10, 1, 3), 1000);
        SeriesState full = new SeriesState(); // all 64 prototypes, stored coordinate by coordinate
        Random random = new Random(5);
        for (int i = 0; i < 5_000; i++) {
            detector.update(full, 1000L * (i + 1), random.nextGaussian() + (i % 97 == 0 ? 10.0 * (i / 97 % 40) : 0), false);
        }
        assertThat(full.prototypesByCoordinate).isTrue();
        SeriesState[] series = {fresh, young, full};
        List<byte[]> before = new ArrayList<>();
        for (SeriesState s : series) {
            before.add(checkpointed(s));
        }
        SeriesDetector.readAhead(series);
        for (int k = 0; k < series.length; k++) {
            assertThat(checkpointed(series[k])).as("series %d", k).isEqualTo(before.get(k));
        }
    }

    @Test
    void fasterSamplingNeedsMoreSurpriseSoFalseAlarmsPerDayStayTheSame() {
        double[] v = noisy(2_000, 10, 0.1, 16);
        v[1_500] = 10.42; // a single 4-sigma sample
        double[] score = new double[2];
        long[] steps = {FIVE_MINUTES, 1_000};
        for (int k = 0; k < 2; k++) {
            SeriesDetector d = new SeriesDetector(DetectorSettings.defaults());
            SeriesState state = new SeriesState();
            for (int i = 0; i <= 1_500; i++) {
                d.update(state, steps[k] * (i + 1), v[i], false);
            }
            score[k] = d.lastScore();
        }
        assertThat(score[0]).as("one in 30,000: once in 100 days at five-minute sampling, worth an alarm")
                .isGreaterThanOrEqualTo(DetectorSettings.defaults().instantScore());
        assertThat(score[1]).as("several times a day at one-second sampling: not").isLessThan(DetectorSettings.defaults().alarmScore());

        // The correction is cached in the state; one restored from before the cache existed has none and must recompute it.
        SeriesDetector d = new SeriesDetector(DetectorSettings.defaults());
        SeriesState state = new SeriesState();
        for (int i = 0; i < 1_500; i++) {
            d.update(state, 1_000L * (i + 1), v[i], false);
        }
        state.samplingCorrection = 0;
        state.correctionForIntervalMs = 0;
        d.update(state, 1_000L * 1_501, v[1_500], false);
        assertThat(d.lastScore()).isEqualTo(score[1]);
    }

    @Test
    void missingSamplesJitterAndOutagesRaiseNoAlarmAndAStepRightAfterAnOutageIsFound() {
        // One-second sampling as a real exporter delivers it: every interval 0.7-1.3 s, one sample in ten lost, and two
        // nine-minute outages (shorter than DetectJob's idle timeout, so the series' state survives them).
        for (long seed = 1; seed <= 5; seed++) {
            Random random = new Random(seed);
            SeriesState state = new SeriesState();
            long t = 0;
            int stepAt = 8_000;
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < 8_100; i++) {
                t += 700 + random.nextInt(601);
                if (i == 3_000 || i == stepAt) {
                    t += 9 * 60_000L;
                }
                double value = 20 + random.nextGaussian() * 0.5 + (i >= stepAt ? 5 : 0);
                if (random.nextInt(10) != 0 && detector.update(state, t, value, false) == SeriesDetector.Transition.STARTED) {
                    starts.add(i);
                }
            }
            assertThat(starts).as("seed %d", seed).isNotEmpty();
            assertThat(starts.get(0)).as("seed %d: the first episode is the step's, on the first or second sample after the outage", seed)
                    .isBetween(stepAt, stepAt + 2);
        }
    }

    @Test
    void aClockSteppedBackIsTheSeriesNewPresentNotATimeToWaitFor() {
        // A node's clock ran an hour ahead and is corrected: its samples now come an hour "earlier" than the last one.
        // Skipped as late, they would leave the series blind for an hour; taken as the new present, a step right after
        // the correction is found at once. A gauge and a counter (which must not see a rate across the step).
        long stepBackMs = 3_600_000L;
        for (boolean counter : new boolean[] {false, true}) {
            SeriesState state = new SeriesState();
            Random random = new Random(21);
            double total = 0;
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < 1_300; i++) {
                long t = 1_000L * (i + 1) - (i >= 1_000 ? stepBackMs : 0);
                double rate = 50 + random.nextGaussian() + (i >= 1_200 ? 20 : 0);
                total += rate;
                if (detector.update(state, t, counter ? total : rate, counter) == SeriesDetector.Transition.STARTED) {
                    starts.add(i);
                }
            }
            assertThat(starts).as("counter %s", counter).isNotEmpty();
            assertThat(starts.get(0)).as("counter %s: the step after the correction, and nothing before", counter).isBetween(1_200, 1_201);
        }
        // A sample late by less than the idle timeout is still late, not a clock step: skipped.
        SeriesState state = new SeriesState();
        for (int i = 1; i <= 100; i++) {
            detector.update(state, 1_000_000L + i * 1_000L, 5.0 + (i % 2) * 0.01, false);
        }
        long samples = state.samples;
        detector.update(state, 1_100_000L - DetectorSettings.defaults().idleTimeoutMs() + 1, 5.0, false);
        assertThat(state.samples).isEqualTo(samples);
    }

    @Test
    void anOutageDoesNotMakeAFastSeriesLookSlowlySampled() {
        // The same 4-sigma sample, once without a gap and once as the first sample after nine silent minutes: the gap is
        // no sign that the series is sampled slowly, so the sample needs the same surprise to alarm (at one-second
        // sampling a 4-sigma sample comes several times a day: not an alarm). Counted as an interval, the gap made the
        // series look like a 28-second one for a minute or two, and the same sample scored 0.44.
        double[] score = new double[2];
        long[] gaps = {0, 9 * 60_000L};
        for (int k = 0; k < 2; k++) {
            double[] v = noisy(1_501, 10, 0.1, 16);
            v[1_500] = 10.42;
            SeriesState state = new SeriesState();
            for (int i = 0; i <= 1_500; i++) {
                detector.update(state, 1_000L * (i + 1) + (i == 1_500 ? gaps[k] : 0), v[i], false);
            }
            score[k] = detector.lastScore();
        }
        assertThat(score[0]).isLessThan(DetectorSettings.defaults().alarmScore());
        assertThat(score[1]).isCloseTo(score[0], org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void overridesByNameAreValidated() {
        DetectorSettings d = DetectorSettings.defaults().with(java.util.Map.of("alarmScore", "0.4", "rearmSamples", "5"));
        assertThat(d.alarmScore()).isEqualTo(0.4);
        assertThat(d.rearmSamples()).isEqualTo(5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DetectorSettings.defaults().with(java.util.Map.of("nope", "1")))
                .hasMessageContaining("unknown detector setting 'nope'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DetectorSettings.defaults().with(java.util.Map.of("alarmScore", "2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < alarmScore <= instantScore < 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DetectorSettings.defaults().with(java.util.Map.of("forgetAfterMs", "1000")))
                .hasMessageContaining("forgetAfterMs at least idleTimeoutMs");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DetectorSettings.defaults().with(java.util.Map.of("repeatPenalty", "NaN")))
                .hasMessageContaining("repeatPenalty must not be negative");
    }
}
