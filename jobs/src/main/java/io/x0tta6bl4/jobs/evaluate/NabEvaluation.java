package io.x0tta6bl4.jobs.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.jobs.detect.DetectorSettings;
import io.x0tta6bl4.jobs.detect.SeriesDetector;
import io.x0tta6bl4.jobs.detect.SeriesState;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the detector library over a NAB-layout corpus exactly as DetectJob runs it: one sample at a time, no
 * look-ahead, the same settings for every file. A row's anomaly score is the calibrated score of an episode
 * that starts on that row, 0 elsewhere (DetectJob reports an episode once, not every sample of it).
 */
public final class NabEvaluation {
    public static final String DETECTOR = "x0tta6bl4";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]");

    private final DetectorSettings settings;
    private final int every;
    private final int offset;

    public NabEvaluation(DetectorSettings settings) {
        this(settings, 1, 0);
    }

    /**
     * Keeping only every {@code every}-th sample of each file, from the {@code offset}-th: the same corpus at a slower
     * sampling rate (labels are time windows, so they still apply), a check that a setting is not tuned to NAB's
     * five-minute rate.
     */
    public NabEvaluation(DetectorSettings settings, int every, int offset) {
        if (every < 1 || offset < 0 || offset >= every) {
            throw new IllegalArgumentException("thinning: need every >= 1 and 0 <= offset < every, got every " + every + ", offset " + offset);
        }
        this.settings = settings;
        this.every = every;
        this.offset = offset;
    }

    /** Scores every file named in the labels under {@code dataDir}; writes NAB's results layout under {@code out} if given. */
    public List<NabScorer.ScoredFile> run(Path dataDir, Path labelsFile, Path out, PrintStream progress) throws IOException {
        JsonNode labels = new ObjectMapper().readTree(labelsFile.toFile());
        List<String> names = new ArrayList<>();
        labels.fieldNames().forEachRemaining(names::add);
        names.sort(String::compareTo);
        List<NabScorer.ScoredFile> scored = new ArrayList<>();
        int done = 0;
        for (String name : names) {
            Path csv = dataDir.resolve(name);
            done++;
            if (!Files.exists(csv)) {
                progress.printf("  [%d/%d] %s: not in %s, skipped%n", done, names.size(), name, dataDir);
                continue;
            }
            scored.add(runFile(name, csv, labels.get(name), out));
            progress.printf("  [%d/%d] %s%n", done, names.size(), name);
        }
        return scored;
    }

    NabScorer.ScoredFile runFile(String name, Path csv, JsonNode windowsJson, Path out) throws IOException {
        List<LocalDateTime> times = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        try (Stream<String> lines = Files.lines(csv)) {
            Iterator<String> it = lines.iterator();
            it.next(); // header
            for (int row = 0; it.hasNext(); row++) {
                String line = it.next();
                if (line.isBlank() || row % every != offset) {
                    continue;
                }
                int comma = line.indexOf(',');
                times.add(LocalDateTime.parse(line.substring(0, comma).trim(), TIME));
                String v = line.substring(comma + 1).trim();
                values.add(v.isEmpty() ? Double.NaN : Double.parseDouble(v));
            }
        }
        double[] scores = detect(times, values);
        List<int[]> windows = new ArrayList<>();
        for (JsonNode w : windowsJson) {
            LocalDateTime start = LocalDateTime.parse(w.get(0).asText(), TIME);
            LocalDateTime end = LocalDateTime.parse(w.get(1).asText(), TIME);
            int from = -1;
            int to = -1;
            for (int i = 0; i < times.size(); i++) {
                if (!times.get(i).isBefore(start) && !times.get(i).isAfter(end)) {
                    if (from < 0) {
                        from = i;
                    }
                    to = i;
                }
            }
            if (from >= 0) {
                windows.add(new int[] {from, to});
            }
        }
        if (out != null) {
            write(name, out, times, values, scores, windows);
        }
        return new NabScorer.ScoredFile(name, scores, windows);
    }

    /** The detector over one series, sample by sample. */
    double[] detect(List<LocalDateTime> times, List<Double> values) {
        SeriesDetector detector = new SeriesDetector(settings);
        SeriesState state = new SeriesState();
        double[] scores = new double[values.size()];
        for (int i = 0; i < values.size(); i++) {
            long ts = times.get(i).toInstant(ZoneOffset.UTC).toEpochMilli();
            if (detector.update(state, ts, values.get(i), false) == SeriesDetector.Transition.STARTED) {
                scores[i] = detector.lastScore();
            }
        }
        return scores;
    }

    private static void write(String name, Path out, List<LocalDateTime> times, List<Double> values, double[] scores, List<int[]> windows)
            throws IOException {
        String category = name.substring(0, name.indexOf('/'));
        String file = name.substring(name.indexOf('/') + 1);
        Path target = out.resolve(DETECTOR).resolve(category).resolve(DETECTOR + "_" + file);
        Files.createDirectories(target.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(target)) {
            w.write("timestamp,value,anomaly_score,label\n");
            for (int i = 0; i < scores.length; i++) {
                int label = 0;
                for (int[] win : windows) {
                    if (i >= win[0] && i <= win[1]) {
                        label = 1;
                    }
                }
                w.write(String.format(Locale.ROOT, "%s,%s,%s,%d%n", times.get(i).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")),
                        values.get(i), scores[i], label));
            }
        }
    }

    /** Prints the score table: one line per profile. */
    public static void report(List<NabScorer.ScoredFile> files, List<NabScorer.Profile> profiles, PrintStream out) {
        out.printf("%nNAB score of detector '%s' over %d files (%d anomaly windows):%n", DETECTOR, files.size(),
                files.stream().mapToInt(f -> f.windows().size()).sum());
        out.printf("%-20s %8s %10s %6s %6s %6s%n", "profile", "score", "threshold", "TP", "FP", "FN");
        Map<String, String> published = Map.of("standard", "ARTime 74.9, HTM 70.5, CAD OSE 69.9",
                "reward_low_FP_rate", "ARTime 65.1, CAD OSE 67.0, HTM 62.6",
                "reward_low_FN_rate", "ARTime 80.4, HTM 75.2, CAD OSE 73.2");
        for (NabScorer.Profile p : profiles) {
            NabScorer.Result r = NabScorer.score(files, p);
            out.printf(Locale.ROOT, "%-20s %8.1f %10.3f %6d %6d %6d   (published, full corpus: %s)%n", p.name(), r.normalised(),
                    r.threshold(), r.truePositives(), r.falsePositives(), r.falseNegatives(), published.get(p.name()));
        }
    }
}
