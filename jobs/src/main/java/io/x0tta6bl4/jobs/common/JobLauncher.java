package io.x0tta6bl4.jobs.common;

import java.util.Arrays;
import java.util.function.BiConsumer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The {@code main} of every job: --help, settings, checkpointing, submit. */
public final class JobLauncher {
    private JobLauncher() {}

    public static void run(String[] args, String jobName, String description,
            BiConsumer<StreamExecutionEnvironment, JobConfig> addTo) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(JobConfig.usage(jobName, description));
            return;
        }
        JobConfig config = JobConfig.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Pipelines.configure(env, config);
        addTo.accept(env, config);
        env.execute(jobName);
    }
}
