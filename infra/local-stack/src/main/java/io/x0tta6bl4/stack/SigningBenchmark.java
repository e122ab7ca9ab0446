package io.x0tta6bl4.stack;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.exporter.agent.AgentPolicy;
import io.x0tta6bl4.exporter.agent.CommandAgent;
import io.x0tta6bl4.exporter.agent.Executors;
import io.x0tta6bl4.exporter.agent.HostActions;
import io.x0tta6bl4.exporter.agent.SeenCommands;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandOutcome;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.SignedCommand;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code x0 bench signing}: how fast HealJob signs (hybrid ML-DSA-65 + Ed25519, one thread) and how long the
 * agent takes to accept a command (decode, both verifications, policy, ledger; the action itself is a dry
 * run), against the targets of the command channel.
 */
@Command(name = "signing", mixinStandardHelpOptions = true, description = "Commands signed per second on one core; agent acceptance latency.")
final class SigningBenchmark implements Callable<Integer> {
    @Option(names = "--commands", defaultValue = "5000", description = "commands per measurement (default ${DEFAULT-VALUE})")
    int commands;

    @Option(names = "--warmup", defaultValue = "2000", description = "commands signed and verified before measuring (default ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() throws Exception {
        KeyPair ml = CommandKeys.generate(SignatureAlgorithm.ML_DSA_65);
        KeyPair ed = CommandKeys.generate(SignatureAlgorithm.ED25519);
        CommandSigner signer = CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, ml, SignatureAlgorithm.ED25519, ed));
        TrustStore trust = new TrustStore().trust(SignatureAlgorithm.ML_DSA_65, ml.getPublic()).trust(SignatureAlgorithm.ED25519, ed.getPublic());
        CommandAgent agent = new CommandAgent("node-1", CommandVerifier.hybrid(trust), AgentPolicy.builtIn(),
                new Executors().register(new HostActions.ServiceRestart()), SeenCommands.inMemory(), Clock.systemUTC(),
                Duration.ofSeconds(30), Duration.ofSeconds(5), true);
        AvroCodec<SignedCommand> codec = AvroCodec.of(SignedCommand.class);

        System.out.printf("warming up (%d commands) ...%n", warmup);
        run(signer, agent, codec, warmup, "w");
        System.out.printf("measuring (%d commands) ...%n", commands);
        long[] verifyNanos = new long[commands];
        long start = System.nanoTime();
        byte[][] envelopes = new byte[commands][];
        for (int i = 0; i < commands; i++) {
            envelopes[i] = codec.encode(signer.sign(body("m" + i)));
        }
        double signSeconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < commands; i++) {
            long t0 = System.nanoTime();
            var result = agent.handle(envelopes[i]);
            verifyNanos[i] = System.nanoTime() - t0;
            if (result.getOutcome() != CommandOutcome.DRY_RUN) {
                throw new IllegalStateException("benchmark command refused: " + result.getReason());
            }
        }
        agent.shutdown();
        Arrays.sort(verifyNanos);
        double rate = commands / signSeconds;
        double p50 = verifyNanos[commands / 2] / 1e6;
        double p99 = verifyNanos[(int) (commands * 0.99)] / 1e6;
        System.out.printf(Locale.ROOT, "signing (ML-DSA-65 + Ed25519, one thread): %.0f commands/s   target >= 1500   %s%n",
                rate, rate >= 1500 ? "MET" : "NOT MET");
        System.out.printf(Locale.ROOT, "agent acceptance (decode, 2 verifications, policy, ledger): p50 %.3f ms, p99 %.3f ms   target p99 <= 1 ms   %s%n",
                p50, p99, p99 <= 1.0 ? "MET" : "NOT MET");
        return 0;
    }

    private static void run(CommandSigner signer, CommandAgent agent, AvroCodec<SignedCommand> codec, int n, String prefix) {
        for (int i = 0; i < n; i++) {
            agent.handle(codec.encode(signer.sign(body(prefix + i))));
        }
    }

    private static CommandBody body(String id) {
        long now = System.currentTimeMillis();
        return CommandBody.newBuilder().setCommandId(id).setIncidentId("bench").setTargetNodeId("node-1").setAction("service.restart")
                .setParameters(List.of(new CommandParameter("unit", "app.service"))).setIssuedAtMs(now).setExpiresAtMs(now + 60_000)
                .setNonce("n").setPolicyVersion("1").build();
    }
}
