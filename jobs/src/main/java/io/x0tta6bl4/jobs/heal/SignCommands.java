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
    private transient CommandSigner signer;

    public SignCommands(String keyDir) {
        if (keyDir == null || keyDir.isBlank()) {
            throw new IllegalArgumentException("HealJob needs keys.dir: the directory with the signing keys (*.key.pem)");
        }
        this.keyDir = keyDir;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        signer = CommandSigner.fromKeySet(Path.of(keyDir));
    }

    @Override
    public SignedCommand map(CommandBody body) {
        return signer.sign(body);
    }
}
