package io.x0tta6bl4.stack;

import picocli.CommandLine.Command;

/** {@code x0 bench ...}: the project's yardsticks, each printing its figures beside the target. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures and how they compare to the targets.",
        subcommands = {SigningBenchmark.class, HealLatencyBenchmark.class, ExporterBenchmark.class, DetectorBenchmark.class, RcaBenchmark.class, DetectThroughputBenchmark.class})
final class Bench {
}
