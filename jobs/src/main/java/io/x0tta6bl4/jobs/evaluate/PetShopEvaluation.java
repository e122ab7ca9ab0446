package io.x0tta6bl4.jobs.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Series;
import io.x0tta6bl4.jobs.diagnose.rca.RootCauseAnalysis.Signal;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * Runs the RCA library over every issue of every PetShop scenario under a directory and prints AC@1, AC@3
 * and Avg@5 per scenario and symptom metric. The true root cause is read from {@code target.json} only after
 * the ranking is done; the symptom (node and metric) is all the analysis is told.
 */
public final class PetShopEvaluation {
    /** One case's outcome. */
    /** The median ranking time: the first cases also pay for the JIT, which a mean would smear over all. */
    static double medianMillis(List<CaseResult> results) {
        double[] ms = results.stream().mapToDouble(CaseResult::millis).sorted().toArray();
        return ms.length == 0 ? 0 : ms[ms.length / 2];
    }

    record CaseResult(String scenario, String issue, String symptomMetric, String rootCause, int rank, double millis, String top) {}

    /** The series of a metrics.csv, keyed by column: entity, metric, statistic. */
    record Table(List<String[]> columns, List<double[]> values) {}

    private PetShopEvaluation() {}

    @picocli.CommandLine.Command(name = "petshop", mixinStandardHelpOptions = true,
            description = "Rank root causes of every PetShop issue under DIR; print AC@1, AC@3, Avg@5.")
    static final class Command implements Callable<Integer> {
        @Option(names = "--dataset", required = true, description = "directory with one or more scenarios (folders holding graph.csv)")
        Path dataset;

        @Option(names = "--out", description = "write every case's rank to this CSV")
        Path out;

        @Override
        public Integer call() throws Exception {
            List<CaseResult> results = evaluate(dataset, System.out);
            report(results, System.out);
            if (out != null) {
                try (BufferedWriter w = Files.newBufferedWriter(out)) {
                    w.write("scenario,issue,symptom_metric,root_cause,rank,millis,ranked_first\n");
                    for (CaseResult r : results) {
                        w.write(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.3f,%s%n", r.scenario(), r.issue(), r.symptomMetric(), r.rootCause(),
                                r.rank(), r.millis(), r.top()));
                    }
                }
            }
            return 0;
        }
    }

    static List<CaseResult> evaluate(Path dataset, PrintStream progress) throws IOException {
        List<Path> scenarios;
        try (Stream<Path> walk = Files.walk(dataset, 3)) {
            scenarios = walk.filter(p -> p.getFileName().toString().equals("graph.csv")).map(Path::getParent).sorted().toList();
        }
        if (scenarios.isEmpty()) {
            throw new IOException("no scenario (a folder with graph.csv) under " + dataset);
        }
        ObjectMapper json = new ObjectMapper();
        List<CaseResult> results = new ArrayList<>();
        for (Path scenario : scenarios) {
            String name = dataset.relativize(scenario).toString();
            RootCauseAnalysis rca = graph(scenario.resolve("graph.csv"));
            Table baseline = table(scenario.resolve("noissue").resolve("metrics.csv"));
            List<Path> cases;
            try (Stream<Path> walk = Files.walk(scenario, 2)) {
                cases = walk.filter(p -> p.getFileName().toString().startsWith("issue_") && Files.isDirectory(p)).sorted().toList();
            }
            progress.printf("scenario %s: %d issues%n", name.isEmpty() ? "." : name, cases.size());
            for (Path c : cases) {
                JsonNode target = json.readTree(c.resolve("target.json").toFile()).get("target");
                String symptomNode = target.get("node").asText();
                String symptomMetric = target.get("metric").asText();
                Table window = table(c.resolve("metrics.csv"));
                long start = System.nanoTime();
                List<RootCauseAnalysis.Candidate> ranked = rca.rank(symptomNode, Signal.of(symptomMetric), series(baseline, window));
                double millis = (System.nanoTime() - start) / 1e6;
                // Only now is the answer looked at.
                String truth = json.readTree(c.resolve("target.json").toFile()).get("root_cause").get("node").asText();
                int rank = 0;
                for (int i = 0; i < ranked.size(); i++) {
                    if (ranked.get(i).entity().equals(truth)) {
                        rank = i + 1;
                        break;
                    }
                }
                results.add(new CaseResult(name, scenario.relativize(c).toString(), symptomMetric, truth, rank, millis,
                        ranked.isEmpty() ? "" : ranked.get(0).entity()));
            }
        }
        return results;
    }

    /** graph.csv: an adjacency matrix, rows calling columns. Names ending _remote or _client are callers' views. */
    static RootCauseAnalysis graph(Path file) throws IOException {
        List<List<String>> rows = Csv.read(file);
        List<String> header = rows.get(0);
        RootCauseAnalysis rca = new RootCauseAnalysis();
        for (List<String> row : rows.subList(1, rows.size())) {
            for (int j = 1; j < row.size() && j < header.size(); j++) {
                String v = row.get(j).trim();
                if (!v.isEmpty() && Double.parseDouble(v) != 0.0) {
                    rca.depends(row.get(0), header.get(j));
                }
            }
        }
        for (String entity : header) {
            if (entity.endsWith("_remote") || entity.endsWith("_client")) {
                rca.callerObserved(entity);
            }
        }
        return rca;
    }

    /** metrics.csv: three header rows (entity, metric, statistic), a timestamp row, then one row per sample. */
    static Table table(Path file) throws IOException {
        List<List<String>> rows = Csv.read(file);
        List<String[]> columns = new ArrayList<>();
        for (int j = 1; j < rows.get(0).size(); j++) {
            columns.add(new String[] {rows.get(0).get(j), rows.get(1).get(j), rows.get(2).get(j)});
        }
        List<double[]> values = new ArrayList<>();
        for (int j = 0; j < columns.size(); j++) {
            double[] v = new double[rows.size() - 4];
            for (int i = 4; i < rows.size(); i++) {
                List<String> row = rows.get(i);
                String cell = j + 1 < row.size() ? row.get(j + 1).trim() : "";
                v[i - 4] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
            }
            values.add(v);
        }
        return new Table(columns, values);
    }

    static List<Series> series(Table baseline, Table window) {
        Map<String, double[]> base = new LinkedHashMap<>();
        for (int j = 0; j < baseline.columns().size(); j++) {
            base.put(String.join("|", baseline.columns().get(j)), baseline.values().get(j));
        }
        List<Series> series = new ArrayList<>();
        for (int j = 0; j < window.columns().size(); j++) {
            String[] c = window.columns().get(j);
            Signal signal = switch (c[1]) {
                case "latency" -> Signal.LATENCY;
                case "availability" -> Signal.AVAILABILITY;
                default -> null; // request counts describe load, not health
            };
            double[] b = base.get(String.join("|", c));
            if (signal != null && b != null) {
                series.add(new Series(c[0], signal, c[2], b, window.values().get(j)));
            }
        }
        return series;
    }

    static void report(List<CaseResult> results, PrintStream out) {
        out.printf("%n%-28s %-13s %5s %6s %6s %6s %12s%n", "scenario", "symptom", "cases", "AC@1", "AC@3", "Avg@5", "median ms");
        Map<String, List<CaseResult>> groups = new LinkedHashMap<>();
        for (CaseResult r : results) {
            groups.computeIfAbsent(r.scenario() + "\u0000" + r.symptomMetric(), k -> new ArrayList<>()).add(r);
        }
        groups.put("all\u0000all", results);
        for (Map.Entry<String, List<CaseResult>> g : groups.entrySet()) {
            String[] key = g.getKey().split("\u0000");
            List<CaseResult> rs = g.getValue();
            double avg5 = 0;
            for (int k = 1; k <= 5; k++) {
                avg5 += acAt(rs, k);
            }
            out.printf(Locale.ROOT, "%-28s %-13s %5d %6.3f %6.3f %6.3f %12.2f%n", key[0].isEmpty() ? "." : key[0], key[1], rs.size(),
                    acAt(rs, 1), acAt(rs, 3), avg5 / 5, medianMillis(rs));
        }
        out.println("published baseline (PetShop paper): latency AC@1 0.571, availability AC@1 0.667-0.833; targets AC@1 >= 0.85, AC@3 >= 0.95");
    }

    static double acAt(List<CaseResult> rs, int k) {
        return rs.isEmpty() ? 0 : rs.stream().filter(r -> r.rank() >= 1 && r.rank() <= k).count() / (double) rs.size();
    }
}
