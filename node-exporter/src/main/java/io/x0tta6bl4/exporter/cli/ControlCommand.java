package io.x0tta6bl4.exporter.cli;

import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.kafka.ControlPublisher;
import io.x0tta6bl4.schema.ControlKind;
import io.x0tta6bl4.schema.ControlRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code x0-node control ...}: publishes root-signed operator settings to the compacted control topic. */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = "Publish signed operator settings: kill switch, heal policy, approvals, command-key rotation.",
        subcommands = {ControlCommand.Pause.class, ControlCommand.Resume.class, ControlCommand.Approve.class,
                ControlCommand.Policy.class, ControlCommand.TrustKeys.class, ControlCommand.RetireKey.class,
                ControlCommand.Depends.class})
final class ControlCommand {

    /** Where to publish and what to sign with. */
    static class Publisher {
        @CommandLine.Mixin X0Node.KafkaOptions kafka = new X0Node.KafkaOptions();

        @Option(names = "--root-keys", defaultValue = "${env:X0_ROOT_KEYS:-/etc/x0tta6bl4/root}",
                description = "directory with the root private keys control records are signed with (default ${DEFAULT-VALUE})")
        Path rootKeys;

        @Option(names = "--author", defaultValue = "${env:USER:-operator}", description = "who is recorded as the author")
        String author;

        int publish(ControlRecord record) throws Exception {
            try (ControlPublisher publisher = new ControlPublisher(kafka.settings(), CommandSigner.fromKeySet(rootKeys))) {
                publisher.publish(record);
            }
            System.out.println("published " + record.getSettingId() + " = " + record.getValue());
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Kill switch on: no command is issued or executed.")
    static final class Pause implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        public Integer call() throws Exception {
            return out.publish(ControlSettings.killSwitch(true, System.currentTimeMillis(), out.author));
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Kill switch off.")
    static final class Resume implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        public Integer call() throws Exception {
            return out.publish(ControlSettings.killSwitch(false, System.currentTimeMillis(), out.author));
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a proposed command (its id is in the PROPOSED decision).")
    static final class Approve implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        @Parameters(paramLabel = "PROPOSAL_ID", description = "the proposed command's id")
        String proposalId;

        public Integer call() throws Exception {
            return out.publish(ControlSettings.approval(proposalId, System.currentTimeMillis(), out.author));
        }
    }

    @Command(name = "depends", mixinStandardHelpOptions = true,
            description = "Declare what a node calls or runs on (DiagnoseJob blames a failing dependency, not its victims).")
    static final class Depends implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        @Parameters(index = "0", paramLabel = "CALLER", description = "the node that calls")
        String caller;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "CALLEE", description = "the nodes it calls; none: it depends on nothing")
        java.util.List<String> callees = new java.util.ArrayList<>();

        public Integer call() throws Exception {
            return out.publish(ControlSettings.dependency(caller, callees, System.currentTimeMillis(), out.author));
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Set HealJob's mode (auto or suggest) and global dry run.")
    static final class Policy implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        @Option(names = "--mode", defaultValue = "auto", description = "auto or suggest (default ${DEFAULT-VALUE})")
        String mode;

        @Option(names = "--dry-run", description = "issue every command as a dry run")
        boolean dryRun;

        @Option(names = "--suggest-nodes", defaultValue = "", description = "regex of node ids kept in suggest mode")
        String suggestNodes;

        @Option(names = "--suggest-label", description = "keep nodes with this label in suggest mode, e.g. env=prod (repeatable)")
        java.util.Map<String, String> suggestLabels = new java.util.TreeMap<>();

        public Integer call() throws Exception {
            if (!mode.equals("auto") && !mode.equals("suggest")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--mode must be auto or suggest");
            }
            var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            node.put("mode", mode);
            node.put("dryRun", dryRun);
            node.put("suggestNodes", suggestNodes);
            suggestLabels.forEach((k, v) -> node.with("suggestLabels").put(k, v));
            String json = node.toString();
            return out.publish(ControlSettings.record(ControlSettings.HEAL_POLICY, ControlKind.POLICY, json, System.currentTimeMillis(), out.author));
        }
    }

    @Command(name = "trust-keys", mixinStandardHelpOptions = true,
            description = "Announce the public keys of a command-signing key set to every agent (rotation, step 1).")
    static final class TrustKeys implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        @Option(names = "--dir", required = true, description = "key set directory (*.pub.pem)")
        Path dir;

        public Integer call() throws Exception {
            for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
                Path pub = dir.resolve(CommandKeys.fileStem(algorithm) + ".pub.pem");
                if (Files.exists(pub)) {
                    var key = CommandKeys.readPublicKey(pub, algorithm);
                    String json = String.format("{\"algorithm\":\"%s\",\"publicKey\":\"%s\",\"status\":\"trusted\"}", algorithm.jcaName(),
                            Base64.getEncoder().encodeToString(key.getEncoded()));
                    out.publish(ControlSettings.record(ControlSettings.KEY_PREFIX + CommandKeys.keyId(key), ControlKind.TRUSTED_KEY, json,
                            System.currentTimeMillis(), out.author));
                }
            }
            return 0;
        }
    }

    @Command(name = "retire-key", mixinStandardHelpOptions = true, description = "Stop trusting a command-signing key (rotation, last step).")
    static final class RetireKey implements Callable<Integer> {
        @CommandLine.Mixin Publisher out = new Publisher();

        @Parameters(paramLabel = "KEY_ID", description = "the key id (see 'keys show-id')")
        String keyId;

        public Integer call() throws Exception {
            return out.publish(ControlSettings.record(ControlSettings.KEY_PREFIX + keyId, ControlKind.TRUSTED_KEY,
                    "{\"status\":\"retired\"}", System.currentTimeMillis(), out.author));
        }
    }
}
