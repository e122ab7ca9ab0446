package io.x0tta6bl4.exporter.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.CommandSignature;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent's refusals, table-driven: every bad command is refused with its reason and nothing is executed. */
class CommandAgentTest {
    static final long NOW = 1_800_000_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    static CommandSigner signer;
    static CommandSigner rogueSigner;
    static TrustStore trust;

    /** Counts executions: the test's proof that a refused command never ran. */
    static final class CountingAction implements ActionExecutor {
        final AtomicInteger runs = new AtomicInteger();

        public String action() { return "service.restart"; }

        public Outcome execute(Map<String, String> params, boolean dryRun) {
            runs.incrementAndGet();
            return Outcome.ok("restarted " + params.get("unit"));
        }
    }

    @BeforeAll
    static synchronized void keys() {
        if (signer != null) {
            return;
        }
        KeyPair mldsa = CommandKeys.generate(SignatureAlgorithm.ML_DSA_65);
        KeyPair ed = CommandKeys.generate(SignatureAlgorithm.ED25519);
        signer = CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, mldsa, SignatureAlgorithm.ED25519, ed));
        rogueSigner = CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, CommandKeys.generate(SignatureAlgorithm.ML_DSA_65),
                SignatureAlgorithm.ED25519, CommandKeys.generate(SignatureAlgorithm.ED25519)));
        trust = new TrustStore().trust(SignatureAlgorithm.ML_DSA_65, mldsa.getPublic()).trust(SignatureAlgorithm.ED25519, ed.getPublic());
    }

    static CommandBody.Builder body() {
        return CommandBody.newBuilder().setCommandId("cmd-" + System.nanoTime()).setIncidentId("inc-1").setTargetNodeId("node-1")
                .setAction("service.restart").setParameters(List.of(new CommandParameter("unit", "app.service")))
                .setIssuedAtMs(NOW - 1_000).setExpiresAtMs(NOW + 60_000).setNonce("n").setPolicyVersion("1");
    }

    static CommandAgent agent(CountingAction action, SeenCommands seen) {
        return new CommandAgent("node-1", CommandVerifier.hybrid(trust), AgentPolicy.builtIn(), new Executors().register(action),
                seen, CLOCK, Duration.ofSeconds(30), Duration.ofSeconds(5), false);
    }

    static byte[] envelope(SignedCommand c) {
        return AvroCodec.of(SignedCommand.class).encode(c);
    }

    static Stream<Arguments> badCommands() {
        return Stream.<Arguments>of(
                Arguments.of("tampered body", (Function<Void, byte[]>) v -> {
                    SignedCommand c = signer.sign(body().build());
                    byte[] b = c.getBody().array().clone();
                    b[b.length - 2] ^= 0x01;
                    c.setBody(ByteBuffer.wrap(b));
                    return envelope(c);
                }, "BAD_SIGNATURE"),
                Arguments.of("signatures swapped in from another command", (Function<Void, byte[]>) v -> {
                    SignedCommand c = signer.sign(body().build());
                    c.setSignatures(signer.sign(body().setAction("cpu.throttle").build()).getSignatures());
                    return envelope(c);
                }, "BAD_SIGNATURE"),
                Arguments.of("signed by an untrusted key", (Function<Void, byte[]>) v -> envelope(rogueSigner.sign(body().build())), "UNKNOWN_KEY"),
                Arguments.of("only the Ed25519 signature", (Function<Void, byte[]>) v -> {
                    SignedCommand c = signer.sign(body().build());
                    List<CommandSignature> sigs = new ArrayList<>(c.getSignatures());
                    sigs.removeIf(s -> !s.getAlgorithm().equals("Ed25519"));
                    c.setSignatures(sigs);
                    return envelope(c);
                }, "MISSING_SIGNATURE"),
                Arguments.of("expired", (Function<Void, byte[]>) v -> envelope(signer.sign(body().setIssuedAtMs(NOW - 200_000)
                        .setExpiresAtMs(NOW - 60_000).build())), "EXPIRED"),
                Arguments.of("issued beyond the clock skew in the future", (Function<Void, byte[]>) v ->
                        envelope(signer.sign(body().setIssuedAtMs(NOW + 120_000).setExpiresAtMs(NOW + 180_000).build())), "NOT_YET_VALID"),
                Arguments.of("for another node", (Function<Void, byte[]>) v -> envelope(signer.sign(body().setTargetNodeId("node-2").build())),
                        "WRONG_TARGET"),
                Arguments.of("action not in the node's policy", (Function<Void, byte[]>) v ->
                        envelope(signer.sign(body().setAction("rm.rf").build())), "POLICY_DENIED"),
                Arguments.of("parameter out of bounds", (Function<Void, byte[]>) v -> envelope(signer.sign(body()
                        .setParameters(List.of(new CommandParameter("unit", "app.service; reboot"))).build())), "POLICY_DENIED"),
                Arguments.of("unknown parameter", (Function<Void, byte[]>) v -> envelope(signer.sign(body()
                        .setParameters(List.of(new CommandParameter("unit", "a.service"), new CommandParameter("shell", "x"))).build())),
                        "POLICY_DENIED"),
                Arguments.of("random bytes", (Function<Void, byte[]>) v -> new byte[] {1, 2, 3, 4, 5}, "MALFORMED"),
                Arguments.of("oversized envelope", (Function<Void, byte[]>) v -> new byte[CommandAgent.MAX_ENVELOPE_BYTES + 1], "OVERSIZED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void refusedWithItsReasonAndNothingRuns(String name, Function<Void, byte[]> command, String reason) {
        CountingAction action = new CountingAction();
        CommandResult result = agent(action, SeenCommands.inMemory()).handle(command.apply(null));
        assertThat(result.getOutcome()).isEqualTo(CommandOutcome.REFUSED);
        assertThat(result.getReason()).startsWith(reason);
        assertThat(result.getNodeId()).isEqualTo("node-1");
        assertThat(action.runs).hasValue(0);
    }

    @Test
    void nodeScopedPolicyDeniesAnActionOnNodesOfARole() {
        CountingAction action = new CountingAction();
        CommandAgent db = new CommandAgent("node-1", CommandVerifier.hybrid(trust), AgentPolicy.builtIn().forNode(Map.of("role", "db")),
                new Executors().register(action), SeenCommands.inMemory(), CLOCK, Duration.ofSeconds(30), Duration.ofSeconds(5), false);
        CommandResult result = db.handle(envelope(signer.sign(body().build())));
        assertThat(result.getOutcome()).isEqualTo(CommandOutcome.REFUSED);
        assertThat(result.getReason()).startsWith("POLICY_DENIED").contains("role=db");
        assertThat(agent(action, SeenCommands.inMemory()).handle(envelope(signer.sign(body().build()))).getOutcome())
                .as("the same command on a web node").isEqualTo(CommandOutcome.EXECUTED);
    }

    @Test
    void validCommandRunsOnceAndARepeatIsRefused() {
        CountingAction action = new CountingAction();
        CommandAgent agent = agent(action, SeenCommands.inMemory());
        byte[] command = envelope(signer.sign(body().build()));
        CommandResult first = agent.handle(command);
        assertThat(first.getOutcome()).isEqualTo(CommandOutcome.EXECUTED);
        assertThat(first.getReason()).isEqualTo("restarted app.service");
        CommandResult again = agent.handle(command);
        assertThat(again.getOutcome()).isEqualTo(CommandOutcome.REFUSED);
        assertThat(again.getReason()).startsWith("REPLAYED");
        assertThat(action.runs).hasValue(1);
    }

    @Test
    void replayIsRefusedAfterAnAgentRestart(@TempDir Path dir) throws Exception {
        CountingAction action = new CountingAction();
        byte[] command = envelope(signer.sign(body().build()));
        try (SeenCommands ledger = SeenCommands.persistent(dir.resolve("seen"), NOW)) {
            assertThat(agent(action, ledger).handle(command).getOutcome()).isEqualTo(CommandOutcome.EXECUTED);
        }
        try (SeenCommands reopened = SeenCommands.persistent(dir.resolve("seen"), NOW)) {
            CommandResult replay = agent(action, reopened).handle(command);
            assertThat(replay.getOutcome()).isEqualTo(CommandOutcome.REFUSED);
            assertThat(replay.getReason()).startsWith("REPLAYED");
        }
        assertThat(action.runs).hasValue(1);
    }

    @Test
    void dryRunCommandIsVerifiedButNotExecuted() {
        CountingAction action = new CountingAction();
        CommandAgent agent = new CommandAgent("node-1", CommandVerifier.hybrid(trust), AgentPolicy.builtIn(),
                new Executors().register(new HostActions.ServiceRestart()), SeenCommands.inMemory(), CLOCK, Duration.ofSeconds(30),
                Duration.ofSeconds(5), false);
        CommandResult result = agent.handle(envelope(signer.sign(body().setDryRun(true).build())));
        assertThat(result.getOutcome()).isEqualTo(CommandOutcome.DRY_RUN);
        assertThat(result.getReason()).contains("would run [systemctl, restart, app.service]");
        assertThat(action.runs).hasValue(0);
    }

    @Test
    void seededMutationsOfAValidEnvelopeNeverCrashAndNeverRun() {
        // A fixed-count, seeded fuzzer over the envelope: every mutation is refused or (if it changed nothing that matters,
        // e.g. an unused byte) executed at most once, and the agent never throws.
        CountingAction action = new CountingAction();
        CommandAgent agent = agent(action, SeenCommands.inMemory());
        byte[] valid = envelope(signer.sign(body().setCommandId("fuzz-base").build()));
        java.util.Random random = new java.util.Random(20261128);
        for (int i = 0; i < 2_000; i++) {
            byte[] mutated = valid.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
            }
            CommandResult result = agent.handle(mutated);
            assertThat(result.getOutcome()).isIn(CommandOutcome.REFUSED, CommandOutcome.EXECUTED);
        }
        assertThat(action.runs.get()).isLessThanOrEqualTo(1);
    }
}
