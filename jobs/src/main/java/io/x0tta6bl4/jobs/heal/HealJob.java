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
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.NodeInfo;
import io.x0tta6bl4.schema.SignedCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Plan: incidents, command results and operator control in; signed commands (exactly once) and decisions out.
 *
 * <pre>x0.incidents.v1 ─┐
 *                   ├→ keyBy(target node) ─┐
 * x0.results.v1  ───┘                      ├→ PlanRemediation → LimitBlastRadius → SignCommands → x0.commands.v1 (transactional)
 * x0.control.v1 → VerifyControl → broadcast┘        │           ↑ broadcast: x0.inventory.v1 (role sizes)
 *                                                    └→ decisions → x0.decisions.v1</pre>
 */
public final class HealJob {
    public static final String NAME = "heal";

    public record Outputs(DataStream<SignedCommand> commands, DataStream<Decision> decisions, DataStream<DeadLetter> deadLetters) {}

    private HealJob() {}

    /** A node whose inventory record is older than this no longer counts towards its role's size. */
    static final long INVENTORY_STALE_MS = 15 * 60_000;

    public static Outputs topology(DataStream<RawRecord> incidents, DataStream<RawRecord> results, DataStream<RawRecord> control,
            DataStream<RawRecord> inventory, JobConfig config, Playbook playbook) {
        SingleOutputStreamOperator<Incident> decodedIncidents = Pipelines.decode(incidents, Incident.class, NAME);
        SingleOutputStreamOperator<CommandResult> decodedResults = Pipelines.decode(results, CommandResult.class, NAME);
        Pipelines.TrustedControl trustedControl = Pipelines.trustedControl(control, config, NAME);
        SingleOutputStreamOperator<NodeInfo> decodedInventory = Pipelines.decode(inventory, NodeInfo.class, NAME);
        BroadcastStream<ControlRecord> settings = trustedControl.records().broadcast(PlanRemediation.CONTROL);

        DataStream<PlanInput> inputs = decodedIncidents.map(PlanInput::of).returns(PlanInput.class).name("heal: incidents")
                .union(decodedResults.map(PlanInput::of).returns(PlanInput.class).name("heal: results"));
        SingleOutputStreamOperator<PlannedCommand> planned = inputs
                .keyBy(PlanInput::node)
                .connect(settings)
                .process(new PlanRemediation(playbook, HealSettings.from(config)), TypeInformation.of(PlannedCommand.class))
                .name("heal: plan remediation").uid("heal-plan");
        SingleOutputStreamOperator<CommandBody> guarded = planned
                .keyBy(command -> command.scope)
                .connect(decodedInventory.broadcast(LimitBlastRadius.INVENTORY))
                .process(new LimitBlastRadius((int) config.getLong("blast.radius.max.nodes"), config.getDouble("blast.radius.max.percent"),
                        INVENTORY_STALE_MS), TypeInformation.of(CommandBody.class))
                .name("heal: limit blast radius").uid("heal-blast-radius");
        DataStream<SignedCommand> signed = guarded
                .map(new SignCommands(config.get("keys.dir"), config.get("kem.keys.dir"))).name("heal: sign commands").uid("heal-sign");
        DataStream<DeadLetter> deadLetters = decodedIncidents.getSideOutput(DeadLetters.TAG)
                .union(decodedResults.getSideOutput(DeadLetters.TAG), decodedInventory.getSideOutput(DeadLetters.TAG),
                        trustedControl.deadLetters());
        return new Outputs(signed, planned.getSideOutput(Decisions.TAG).union(guarded.getSideOutput(Decisions.TAG)), deadLetters);
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
        // Few records, each a remediation waiting to happen: ship network buffers at once, not every 100 ms.
        env.setBufferTimeout(0);
        // Control and inventory are read whole on every start: the kill switch survives any restart, roles keep their size.
        Outputs out = topology(Pipelines.kafka(env, config, Topic.INCIDENTS, NAME), Pipelines.kafka(env, config, Topic.RESULTS, NAME),
                Pipelines.wholeTopic(env, config, Topic.CONTROL, NAME), Pipelines.wholeTopic(env, config, Topic.INVENTORY, NAME),
                config, playbook(config));
        out.commands().sinkTo(KafkaConnectors.exactlyOnceSink(config.kafka(), Topic.COMMANDS, SignedCommand.class,
                        SignedCommand::getTargetNodeId, config.get("group.prefix") + "heal-commands"))
                .name("heal: commands").uid("heal-command-sink");
        out.decisions().sinkTo(KafkaConnectors.sink(config.kafka(), Topic.DECISIONS, Decision.class, Decision::getNodeId))
                .name("heal: decisions").uid("heal-decision-sink");
        Pipelines.sinkDeadLetters(out.deadLetters(), config, NAME);
    }

    public static void main(String[] args) throws Exception {
        JobLauncher.run(args, "x0tta6bl4 HealJob", "Plans remediations from incidents and publishes signed commands.", HealJob::addTo);
    }
}
