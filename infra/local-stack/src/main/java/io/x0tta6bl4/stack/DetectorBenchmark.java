package io.x0tta6bl4.stack;

import io.x0tta6bl4.jobs.detect.DetectorSettings;
import io.x0tta6bl4.jobs.detect.SeriesDetector;
import io.x0tta6bl4.jobs.detect.SeriesState;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code x0 bench detector}: samples per second through DetectJob's per-series detector on one thread, over many
 * series (state switching as in a keyed operator), against the target of 1,000,000 samples/s on one core.
 */
@Command(name = "detector", mixinStandardHelpOptions = true, description = "Detector library throughput on one core.")
final class DetectorBenchmark implements Callable<Integer> {
    @Option(names = "--series", defaultValue = "10000", description = "distinct series (default ${DEFAULT-VALUE})")
    int series;

    @Option(names = "--samples", defaultValue = "20000000", description = "samples to score (default ${DEFAULT-VALUE})")
    long samples;

    @Override
    public Integer call() {
        SeriesDetector detector = new SeriesDetector(DetectorSettings.defaults());
        SeriesState[] states = new SeriesState[series];
        for (int i = 0; i < series; i++) {
            states[i] = new SeriesState();
        }
        SplittableRandom random = new SplittableRandom(1);
        double[] noise = new double[4096];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = 0.3 + 0.02 * (random.nextDouble() - 0.5);
        }
        long episodes = run(detector, states, noise, samples / 10); // warm-up: JIT and state allocation
        long start = System.nanoTime();
        episodes += run(detector, states, noise, samples);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = samples / seconds;
        long scored = 0;
        for (SeriesState state : states) {
            scored += state.samples;
        }
        if (scored < samples) {
            throw new IllegalStateException("only " + scored + " of " + samples + " samples were scored");
        }
        System.out.printf(Locale.ROOT, "detector: %.2f M samples/s on one thread over %d series (%d episode transitions)   target >= 1 M/s   %s%n",
                rate / 1e6, series, episodes, rate >= 1e6 ? "MET" : "NOT MET");
        return 0;
    }

    private static long run(SeriesDetector detector, SeriesState[] states, double[] noise, long n) {
        long transitions = 0;
        for (long i = 0; i < n; i++) {
            int s = (int) (i % states.length);
            long last = states[s].lastTimestampMs;
            long ts = last == Long.MIN_VALUE ? 1000L : last + 1000L; // one sample per second per series, in order
            // A level shift on one series in every 4096 for two samples: real episodes open and close.
            double value = noise[(int) (i & 4095)] + (s % 4096 == 7 && (last / 1000) % 500 < 2 ? 5.0 : 0.0);
            if (detector.update(states[s], ts, value, false) != SeriesDetector.Transition.NONE) {
                transitions++;
            }
        }
        return transitions;
    }
}
