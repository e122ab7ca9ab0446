package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Plan, last step: signs each command with every configured key (ML-DSA-65 and Ed25519). The private keys
 * are read on the task manager from the key directory, so they never travel inside the job graph.
 */
public class SignCommands extends RichMapFunction<CommandBody, SignedCommand> {
    private static final long serialVersionUID = 1L;

    private final String keyDir;
    private final String kemKeysDir;
    private transient CommandSigner signer;
    private transient java.util.Map<String, java.util.Optional<java.security.PublicKey>> agentKemKeys;

    public SignCommands(String keyDir) {
        this(keyDir, "");
    }

    /**
     * @param kemKeysDir directory of agents' ML-KEM-768 public keys, {@code <nodeId>.ml-kem-768.pub.pem}; a command
     *     for a node with a key there is sealed to it. Empty: no sealing.
     */
    public SignCommands(String keyDir, String kemKeysDir) {
        this.kemKeysDir = kemKeysDir == null ? "" : kemKeysDir;
        if (keyDir == null || keyDir.isBlank()) {
            throw new IllegalArgumentException("HealJob needs keys.dir: the directory with the signing keys (*.key.pem)");
        }
        this.keyDir = keyDir;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        signer = CommandSigner.fromKeySet(Path.of(keyDir));
        agentKemKeys = new java.util.HashMap<>();
    }

    @Override
    public SignedCommand map(CommandBody body) throws java.io.IOException {
        return signer.sign(body, kemKey(body.getTargetNodeId()).orElse(null));
    }

    private java.util.Optional<java.security.PublicKey> kemKey(String nodeId) throws java.io.IOException {
        if (kemKeysDir.isBlank() || !nodeId.matches("[A-Za-z0-9._-]{1,128}")) {
            return java.util.Optional.empty();
        }
        java.util.Optional<java.security.PublicKey> key = agentKemKeys.get(nodeId);
        if (key == null) {
            Path file = Path.of(kemKeysDir, nodeId + ".ml-kem-768.pub.pem");
            key = java.nio.file.Files.exists(file)
                    ? java.util.Optional.of(io.x0tta6bl4.connectors.command.CommandSealing.readPublicKey(file))
                    : java.util.Optional.empty();
            agentKemKeys.put(nodeId, key);
        }
        return key;
    }
}
