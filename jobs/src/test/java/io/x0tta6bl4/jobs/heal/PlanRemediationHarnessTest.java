package io.x0tta6bl4.jobs.heal;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.ControlKind;
import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.DecisionVerdict;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentResolution;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HealJob's decisions, one behaviour per test, with state and timers checked. */
class PlanRemediationHarnessTest {
    static final long COOLDOWN = 30_000;
    static final long TTL = 60_000;
    static final long VERIFY = 20_000;
    static final HealSettings SETTINGS = new HealSettings(COOLDOWN, TTL, VERIFY, 600_000, ControlSettings.HealPolicy.DEFAULT);

    static Incident incident(String id, int revision, IncidentStatus status, String kind, String metric, double score, double severity) {
        return Incident.newBuilder().setIncidentId(id).setStatus(status).setRevision(revision).setOpenedAtMs(1).setUpdatedAtMs(1)
                .setSeverity(severity).setNodes(List.of("n1")).setMetrics(List.of(metric))
                .setRootCauses(List.of(RootCause.newBuilder().setNodeId("n1").setMetric(metric).setKind(kind).setScore(score).build()))
                .build();
    }

    static Incident cpu(String id) {
        return incident(id, 1, IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7);
    }

    static CommandResult result(CommandBody command, CommandOutcome outcome) {
        return CommandResult.newBuilder().setCommandId(command.getCommandId()).setNodeId("n1").setIncidentId(command.getIncidentId())
                .setAction(command.getAction()).setOutcome(outcome).setReason("test").setReceivedAtMs(0).setFinishedAtMs(0).build();
    }

    static KeyedBroadcastOperatorTestHarness<String, PlanInput, io.x0tta6bl4.schema.ControlRecord, PlannedCommand> harness() throws Exception {
        var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new PlanRemediation(Playbook.builtIn(), SETTINGS),
                PlanInput::node, Types.STRING, PlanRemediation.CONTROL);
        h.setProcessingTime(1_000);
        return h;
    }

    /** Entries in the heap keyed state backend (the broadcast harness has no shortcut for it). */
    static int keyedStateEntries(KeyedBroadcastOperatorTestHarness<String, PlanInput, ?, PlannedCommand> h) {
        var backend = ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) backend).numKeyValueStateEntries();
    }

    static List<CommandBody> commands(KeyedBroadcastOperatorTestHarness<String, PlanInput, ?, PlannedCommand> h) {
        return h.extractOutputValues().stream().map(p -> p.command).toList();
    }

    static List<String> actions(KeyedBroadcastOperatorTestHarness<String, PlanInput, ?, PlannedCommand> h) {
        return commands(h).stream().map(CommandBody::getAction).toList();
    }

    static List<DecisionVerdict> verdicts(KeyedBroadcastOperatorTestHarness<String, PlanInput, ?, PlannedCommand> h) {
        ConcurrentLinkedQueue<StreamRecord<Decision>> side = h.getSideOutput(Decisions.TAG);
        return side == null ? List.of() : side.stream().map(r -> r.getValue().getVerdict()).toList();
    }

    static CommandBody last(KeyedBroadcastOperatorTestHarness<String, PlanInput, ?, PlannedCommand> h) {
        List<CommandBody> out = commands(h);
        return out.get(out.size() - 1);
    }

    @Test
    void openIncidentIssuesTheFirstAutoActionWithDeterministicIdAndValidity() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            CommandBody c = last(h);
            assertThat(c.getAction()).isEqualTo("cpu.throttle");
            assertThat(c.getTargetNodeId()).isEqualTo("n1");
            assertThat(c.getExpiresAtMs() - c.getIssuedAtMs()).isEqualTo(TTL);
            assertThat(c.getParameters()).extracting(CommandParameter::getName).isSorted().contains("fault_kind", "quota_percent");
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.COMMAND_ISSUED);
            h.processElement(PlanInput.of(incident("i1", 2, IncidentStatus.UPDATED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7)), 0);
            assertThat(commands(h)).as("an update while the action is being verified changes nothing").hasSize(1);
        }
    }

    @Test
    void victimOfAnIncidentBeingRemediatedGetsNoPlanOfItsOwn() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("n1-culprit")), 0);
            Incident victim = Incident.newBuilder(cpu("web-1-victim")).setAttributedTo("n1-culprit").build();
            h.processElement(PlanInput.of(victim), 0);
            assertThat(actions(h)).as("one remediation for the culprit, not a second action for its victim").containsExactly("cpu.throttle");
            assertThat(h.getSideOutput(Decisions.TAG)).extracting(r -> r.getValue().getReason())
                    .anySatisfy(reason -> assertThat(reason).isEqualTo("a symptom of n1-culprit, which is being remediated"));
            // Once the culprit's plan is gone (resolved), a victim that is still open is planned on its own merits.
            h.processElement(PlanInput.of(incident("n1-culprit", 2, IncidentStatus.RESOLVED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7)), 0);
            h.processElement(PlanInput.of(Incident.newBuilder(cpu("web-1-victim-2")).setAttributedTo("n1-culprit").build()), 0);
            assertThat(actions(h)).hasSize(2);
        }
    }

    @Test
    void refusalEscalatesToTheNextActionAtOnce() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            h.processElement(PlanInput.of(result(last(h), CommandOutcome.REFUSED)), 0);
            assertThat(actions(h)).containsExactly("cpu.throttle", "process.renice");
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.COMMAND_ISSUED, DecisionVerdict.ESCALATED, DecisionVerdict.COMMAND_ISSUED);
        }
    }

    @Test
    void actionThatDoesNotResolveTheIncidentInTimeIsEscalatedThenNothingIsLeft() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            h.processElement(PlanInput.of(result(last(h), CommandOutcome.EXECUTED)), 0);
            h.setProcessingTime(1_000 + VERIFY);
            assertThat(actions(h)).containsExactly("cpu.throttle", "process.renice");
            h.setProcessingTime(1_000 + 2 * VERIFY);
            assertThat(verdicts(h)).endsWith(DecisionVerdict.ESCALATED, DecisionVerdict.SKIPPED);
            assertThat(commands(h)).hasSize(2);
        }
    }

    @Test
    void resolutionVerifiesTheActionAndClearsThePlanAndItsTimers() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            h.processElement(PlanInput.of(result(last(h), CommandOutcome.EXECUTED)), 0);
            h.processElement(PlanInput.of(incident("i1", 2, IncidentStatus.RESOLVED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7)), 0);
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.COMMAND_ISSUED, DecisionVerdict.VERIFIED);
            h.setProcessingTime(1_000 + 600_000);
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(keyedStateEntries(h)).as("only the learnt success rate remains").isEqualTo(1);
        }
    }

    @Test
    void killSwitchStopsNewCommandsUntilResumed() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(ControlSettings.killSwitch(true, 1, "ops"), 0);
            h.processElement(PlanInput.of(cpu("i1")), 0);
            assertThat(commands(h)).isEmpty();
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.SKIPPED);
            h.processBroadcastElement(ControlSettings.killSwitch(false, 2, "ops"), 0);
            h.processElement(PlanInput.of(cpu("i2")), 0);
            assertThat(actions(h)).containsExactly("cpu.throttle");
        }
    }

    @Test
    void suggestModeRecordsWhatWouldBeDoneAndIssuesNothing() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(ControlSettings.record(ControlSettings.HEAL_POLICY, ControlKind.POLICY,
                    "{\"mode\":\"auto\",\"suggestNodes\":\"n[0-9]+\"}", 1, "ops"), 0);
            h.processElement(PlanInput.of(cpu("i1")), 0);
            assertThat(commands(h)).isEmpty();
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.SUGGESTED);
        }
    }

    @Test
    void suggestScopeByLabelsAndPlaybookRulesMatchingLabelsAndSeverity() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(ControlSettings.record(ControlSettings.HEAL_POLICY, ControlKind.POLICY,
                    "{\"mode\":\"auto\",\"suggestLabels\":{\"env\":\"prod\"}}", 1, "ops"), 0);
            Incident prod = Incident.newBuilder(cpu("i1")).setLabels(java.util.Map.of("env", "prod", "role", "web")).build();
            h.processElement(PlanInput.of(prod), 0);
            assertThat(commands(h)).isEmpty();
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.SUGGESTED);
            Incident staging = Incident.newBuilder(cpu("i2")).setLabels(java.util.Map.of("env", "staging", "role", "db")).build();
            h.processElement(PlanInput.of(staging), 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(p -> assertThat(p.scope).isEqualTo("role=db"));
        }
        Playbook p = PlaybookTest.parse("""
                version: "t"
                rules:
                  - name: db-only
                    match: {kind: cpu_saturation, labels: {role: db}, minSeverity: 0.8}
                    actions: [{action: a, reversible: true}]
                """);
        assertThat(p.match("cpu_saturation", "m", 1, java.util.Map.of("role", "db"), 0.9)).isNotNull();
        assertThat(p.match("cpu_saturation", "m", 1, java.util.Map.of("role", "web"), 0.9)).isNull();
        assertThat(p.match("cpu_saturation", "m", 1, java.util.Map.of("role", "db"), 0.5)).isNull();
    }

    @Test
    void globalDryRunIssuesDryRunCommands() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(ControlSettings.record(ControlSettings.HEAL_POLICY, ControlKind.POLICY,
                    "{\"mode\":\"auto\",\"dryRun\":true}", 1, "ops"), 0);
            h.processElement(PlanInput.of(cpu("i1")), 0);
            assertThat(last(h).getDryRun()).isTrue();
        }
    }

    @Test
    void riskyActionIsProposedAndRunsOnceEvenIfApprovedTwice() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(incident("i1", 1, IncidentStatus.OPEN, "memory_pressure", "memory_used_ratio", 0.9, 0.8)), 0);
            assertThat(commands(h)).isEmpty();
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.PROPOSED);
            String proposal = h.getSideOutput(Decisions.TAG).peek().getValue().getCommandId();
            h.setProcessingTime(50_000);
            h.processBroadcastElement(ControlSettings.approval(proposal, 2, "alice"), 0);
            h.processBroadcastElement(ControlSettings.approval(proposal, 3, "bob"), 0);
            assertThat(actions(h)).containsExactly("service.restart");
            assertThat(last(h).getIssuedAtMs()).as("valid from the approval on").isEqualTo(50_000);
            assertThat(last(h).getParameters()).extracting(CommandParameter::getName).doesNotContain("x0.scope");
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.PROPOSED, DecisionVerdict.APPROVED);
        }
    }

    @Test
    void reversibleActionThatMadeThingsWorseIsRolledBackAndEscalated() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            CommandBody first = last(h);
            h.processElement(PlanInput.of(result(first, CommandOutcome.EXECUTED)), 0);
            h.processElement(PlanInput.of(incident("i1", 2, IncidentStatus.UPDATED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.95)), 0);
            List<CommandBody> out = commands(h);
            assertThat(out).extracting(CommandBody::getAction).containsExactly("cpu.throttle", "cpu.throttle", "process.renice");
            assertThat(out.get(1).getParameters()).contains(new CommandParameter("quota_percent", "100"));
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.COMMAND_ISSUED, DecisionVerdict.ROLLED_BACK,
                    DecisionVerdict.ESCALATED, DecisionVerdict.COMMAND_ISSUED);
        }
    }

    /**
     * Only a recovery verifies an action: after a node went silent (the action may have taken it down) or an incident
     * outlived its maximum age, the action counts as a failure, and the next incident of the kind tries another first.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"RECOVERED, VERIFIED, cpu.throttle", "WENT_SILENT, NOT_RECOVERED, process.renice", "EXPIRED, NOT_RECOVERED, process.renice"})
    void onlyARecoveryVerifiesTheAction(IncidentResolution resolution, DecisionVerdict verdict, String nextFirstAction) throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            assertThat(last(h).getAction()).isEqualTo("cpu.throttle");
            h.processElement(PlanInput.of(result(last(h), CommandOutcome.EXECUTED)), 0);
            Incident resolved = incident("i1", 2, IncidentStatus.RESOLVED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7);
            resolved.setResolution(resolution);
            h.processElement(PlanInput.of(resolved), 0);
            assertThat(verdicts(h)).containsExactly(DecisionVerdict.COMMAND_ISSUED, verdict);
            h.setProcessingTime(1_000 + COOLDOWN);
            assertThat(keyedStateEntries(h)).as("only the learnt rate remains").isEqualTo(1);

            h.processElement(PlanInput.of(cpu("i2")), 0);
            assertThat(last(h).getAction()).isEqualTo(nextFirstAction);
        }
    }

    @Test
    void failuresTeachThePlannerToTryAnotherActionFirst() throws Exception {
        try (var h = harness()) {
            long now = 1_000;
            for (int i = 0; i < 1; i++) { // one failure of the first action and one success of the second are enough
                h.processElement(PlanInput.of(cpu("i" + i)), 0);
                CommandBody issued = last(h);
                assertThat(issued.getAction()).isEqualTo("cpu.throttle");
                h.processElement(PlanInput.of(result(issued, CommandOutcome.FAILED)), 0); // escalates to renice
                h.processElement(PlanInput.of(result(last(h), CommandOutcome.EXECUTED)), 0);
                h.processElement(PlanInput.of(incident("i" + i, 2, IncidentStatus.RESOLVED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7)), 0);
                now += COOLDOWN;
                h.setProcessingTime(now);
            }
            h.processElement(PlanInput.of(cpu("i9")), 0);
            assertThat(last(h).getAction()).isEqualTo("process.renice");
        }
    }

    @Test
    void actionInCooldownIsSkippedForTheNextIncident() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(cpu("i1")), 0);
            h.processElement(PlanInput.of(cpu("i2")), 0);
            assertThat(actions(h)).containsExactly("cpu.throttle", "process.renice");
        }
    }

    @Test
    void resolvedUnmatchedAndLowConfidenceIncidentsIssueNothingButSayWhy() throws Exception {
        try (var h = harness()) {
            h.processElement(PlanInput.of(incident("i1", 2, IncidentStatus.RESOLVED, "cpu_saturation", "cpu_usage_ratio", 0.9, 0.7)), 0);
            h.processElement(PlanInput.of(incident("i2", 1, IncidentStatus.OPEN, "unknown", "weird_metric", 0.9, 0.7)), 0);
            h.processElement(PlanInput.of(incident("i3", 1, IncidentStatus.OPEN, "cpu_saturation", "cpu_usage_ratio", 0.2, 0.7)), 0);
            assertThat(commands(h)).isEmpty();
            assertThat(h.getSideOutput(Decisions.TAG)).extracting(r -> r.getValue().getReason())
                    .anySatisfy(r -> assertThat(r).contains("no playbook rule"))
                    .anySatisfy(r -> assertThat(r).contains("confidence 0.20 is below"));
            assertThat(keyedStateEntries(h)).isZero();
        }
    }
}
