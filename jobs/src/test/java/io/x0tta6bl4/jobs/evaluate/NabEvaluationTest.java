package io.x0tta6bl4.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.jobs.detect.DetectorSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation's reading, windows, results layout and thinning, on a small corpus in NAB's layout. */
class NabEvaluationTest {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final LocalDateTime START = LocalDateTime.of(2026, 1, 1, 0, 0);
    private static final int ROWS = 1_000;
    private static final int STEP_AT = 800;

    @TempDir
    Path dir;

    /** realTest/step.csv: five-minute noise around 10 with a step to 20 at row 800; its window rows 780-820; a labelled file that is absent. */
    private Path corpus() throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("realTest"));
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        Random random = new Random(1);
        for (int i = 0; i < ROWS; i++) {
            csv.append(START.plusMinutes(5L * i).format(TIME)).append(',').append((i >= STEP_AT ? 20 : 10) + random.nextGaussian() * 0.5).append('\n');
        }
        Files.writeString(data.resolve("realTest/step.csv"), csv);
        Files.writeString(dir.resolve("labels.json"), "{\"realTest/step.csv\": [[\"" + START.plusMinutes(5L * 780).format(TIME) + ".000000\", \""
                + START.plusMinutes(5L * 820).format(TIME) + ".000000\"]], \"realTest/absent.csv\": []}");
        return data;
    }

    @Test
    void scoresEachFileSampleBySampleAndWritesNabsLayout() throws IOException {
        Path data = corpus();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<NabScorer.ScoredFile> files = new NabEvaluation(DetectorSettings.defaults())
                .run(data, dir.resolve("labels.json"), dir.resolve("out"), new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(files).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("realTest/step.csv");
            assertThat(f.scores()).hasSize(ROWS);
            assertThat(f.windows()).singleElement().isEqualTo(new int[] {780, 820});
            assertThat(f.scores()[STEP_AT]).as("the step, on its first sample").isPositive();
        });
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("realTest/absent.csv: not in");

        List<String> written = Files.readAllLines(dir.resolve("out/x0tta6bl4/realTest/x0tta6bl4_step.csv"));
        assertThat(written).hasSize(ROWS + 1);
        assertThat(written.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
        assertThat(written.get(780)).endsWith(",0");
        assertThat(written.get(781)).as("row 780, the window's first").endsWith(",1");
        assertThat(written.get(821)).as("row 820, its last").endsWith(",1");
        assertThat(written.get(822)).endsWith(",0");
    }

    @Test
    void thinningKeepsEveryNthSampleAndTheWindowsByTime() throws IOException {
        Path data = corpus();
        List<NabScorer.ScoredFile> files = new NabEvaluation(DetectorSettings.defaults(), 3, 1)
                .run(data, dir.resolve("labels.json"), dir.resolve("out"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        NabScorer.ScoredFile f = files.get(0);
        assertThat(f.scores()).hasSize(333); // rows 1, 4, ..., 997
        // Rows 781 (kept as 260) to 820 (kept as 273): the same stretch of time.
        assertThat(f.windows()).singleElement().isEqualTo(new int[] {260, 273});
        List<String> written = Files.readAllLines(dir.resolve("out/x0tta6bl4/realTest/x0tta6bl4_step.csv"));
        assertThat(written.get(1)).startsWith(START.plusMinutes(5).format(TIME) + ",");
        assertThat(written.get(2)).startsWith(START.plusMinutes(20).format(TIME) + ",");
    }

    @Test
    void thinningOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> new NabEvaluation(DetectorSettings.defaults(), 3, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
        assertThatThrownBy(() -> new NabEvaluation(DetectorSettings.defaults(), 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
