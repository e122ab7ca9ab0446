package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.JobLauncher;
import io.x0tta6bl4.jobs.common.Pipelines;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.SignedCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Plan: incidents and command results in, signed commands out (exactly once).
 *
 * <pre>x0.incidents.v1 ─┐
 *                   ├→ keyBy(target node) → PlanRemediation → SignCommands → x0.commands.v1 (transactional)
 * x0.results.v1  ───┘   (results are the feedback: success rates per action)</pre>
 */
public final class HealJob {
    public static final String NAME = "heal";

    public record Outputs(DataStream<SignedCommand> commands, DataStream<DeadLetter> deadLetters) {}

    private HealJob() {}

    public static Outputs topology(DataStream<RawRecord> incidents, DataStream<RawRecord> results, JobConfig config, Playbook playbook) {
        SingleOutputStreamOperator<Incident> decodedIncidents = Pipelines.decode(incidents, Incident.class, NAME);
        SingleOutputStreamOperator<CommandResult> decodedResults = Pipelines.decode(results, CommandResult.class, NAME);
        DataStream<CommandBody> planned = decodedIncidents
                .connect(decodedResults)
                .keyBy(HealJob::targetNode, CommandResult::getNodeId)
                .process(new PlanRemediation(playbook, config.getLong("cooldown.ms"), config.getLong("command.ttl.ms")))
                .name("heal: plan remediation").uid("heal-plan");
        DataStream<SignedCommand> signed = planned
                .map(new SignCommands(config.get("keys.dir"))).name("heal: sign commands").uid("heal-sign");
        DataStream<DeadLetter> deadLetters = decodedIncidents.getSideOutput(DeadLetters.TAG)
                .union(decodedResults.getSideOutput(DeadLetters.TAG));
        return new Outputs(signed, deadLetters);
    }

    /** Incidents are planned on the node of their top root cause; an incident without causes on its first node. */
    static String targetNode(Incident incident) {
        if (!incident.getRootCauses().isEmpty()) {
            return incident.getRootCauses().get(0).getNodeId();
        }
        return incident.getNodes().isEmpty() ? "" : incident.getNodes().get(0);
    }

    public static Playbook playbook(JobConfig config) {
        String file = config.get("playbook");
        if (file.isBlank()) {
            return Playbook.builtIn();
        }
        try {
            return Playbook.load(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read playbook " + file, e);
        }
    }

    public static void addTo(StreamExecutionEnvironment env, JobConfig config) {
        Outputs out = topology(Pipelines.kafka(env, config, Topic.INCIDENTS, NAME), Pipelines.kafka(env, config, Topic.RESULTS, NAME),
                config, playbook(config));
        out.commands().sinkTo(KafkaConnectors.exactlyOnceSink(config.kafka(), Topic.COMMANDS, SignedCommand.class,
                        SignedCommand::getTargetNodeId, config.get("group.prefix") + "heal-commands"))
                .name("heal: commands").uid("heal-command-sink");
        Pipelines.sinkDeadLetters(out.deadLetters(), config, NAME);
    }

    public static void main(String[] args) throws Exception {
        JobLauncher.run(args, "x0tta6bl4 HealJob", "Plans remediations from incidents and publishes signed commands.", HealJob::addTo);
    }
}
