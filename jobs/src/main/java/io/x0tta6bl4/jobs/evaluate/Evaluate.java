package io.x0tta6bl4.jobs.evaluate;

import io.x0tta6bl4.jobs.detect.DetectorSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code evaluate}: the detector and RCA libraries measured on public labelled data, with the code the jobs run. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Measure detection (NAB) and root-cause analysis (PetShop).",
        subcommands = {Evaluate.Nab.class, PetShopEvaluation.Command.class})
public final class Evaluate {

    @Command(name = "nab", mixinStandardHelpOptions = true, description = "Score the detector on a NAB-layout corpus with NAB's method.")
    static final class Nab implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "NAB data directory (category/file.csv)")
        Path data;

        @Option(names = "--labels", required = true, description = "NAB combined_windows.json")
        Path labels;

        @Option(names = "--out", description = "write NAB's results layout here: OUT/<detector>/<category>/<detector>_<file>.csv")
        Path out;

        @Option(names = "--setting", description = "override a detector setting for an experiment, e.g. alarmScore=0.5 (the same for every file)")
        java.util.Map<String, String> settings = new java.util.HashMap<>();

        @Option(names = "--profile", description = "only this profile: standard, reward_low_FP_rate, reward_low_FN_rate (default: all three)")
        String profile;

        @Option(names = "--every", defaultValue = "1", description = "keep every N-th sample of each file, a check at a slower sampling rate (default ${DEFAULT-VALUE}: all)")
        int every;

        @Option(names = "--offset", defaultValue = "0", description = "with --every: start at this sample, 0 to N-1 (default ${DEFAULT-VALUE})")
        int offset;

        @Override
        public Integer call() throws Exception {
            List<NabScorer.Profile> profiles = NabScorer.PROFILES.stream().filter(p -> profile == null || p.name().equals(profile)).toList();
            if (profiles.isEmpty()) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown profile " + profile);
            }
            NabEvaluation evaluation;
            try {
                evaluation = new NabEvaluation(DetectorSettings.defaults().with(settings), every, offset);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            System.out.println("Streaming each file through the detector (sample by sample, DetectJob's settings):");
            long start = System.nanoTime();
            var files = evaluation.run(data, labels, out, System.err); // progress on stderr, the table on stdout
            System.out.printf("detector time %.1f s%n", (System.nanoTime() - start) / 1e9);
            NabEvaluation.report(files, profiles, System.out);
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Evaluate()).execute(args));
    }
}
