package io.x0tta6bl4.exporter.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.connectors.command.CommandKeys;
import io.x0tta6bl4.connectors.command.CommandSigner;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.ControlMessages;
import io.x0tta6bl4.connectors.command.SignatureAlgorithm;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.schema.ControlKind;
import io.x0tta6bl4.schema.ControlRecord;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the agent takes from control records: only what the pinned root keys signed. */
class AgentControlTest {
    static CommandSigner signerOf(KeyPair ml, KeyPair ed) {
        return CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, ml, SignatureAlgorithm.ED25519, ed));
    }

    @Test
    void onlyRootSignedRecordsChangeTheAgentsMind() {
        KeyPair rootMl = CommandKeys.generate(SignatureAlgorithm.ML_DSA_65);
        KeyPair rootEd = CommandKeys.generate(SignatureAlgorithm.ED25519);
        CommandSigner root = signerOf(rootMl, rootEd);
        CommandSigner forger = signerOf(CommandKeys.generate(SignatureAlgorithm.ML_DSA_65), CommandKeys.generate(SignatureAlgorithm.ED25519));
        TrustStore rootKeys = new TrustStore().trust(SignatureAlgorithm.ML_DSA_65, rootMl.getPublic()).trust(SignatureAlgorithm.ED25519, rootEd.getPublic());
        TrustStore commandKeys = new TrustStore();
        AgentControl control = AgentControl.offline(CommandVerifier.hybrid(rootKeys), commandKeys);
        AvroCodec<ControlRecord> codec = AvroCodec.of(ControlRecord.class);

        control.apply(codec.encode(ControlMessages.sign(ControlSettings.killSwitch(true, 1, "mallory"), forger)));
        control.apply(codec.encode(ControlSettings.killSwitch(true, 2, "unsigned")));
        assertThat(control.paused()).isFalse();

        control.apply(codec.encode(ControlMessages.sign(ControlSettings.killSwitch(true, 3, "ops"), root)));
        assertThat(control.paused()).isTrue();

        KeyPair rotated = CommandKeys.generate(SignatureAlgorithm.ED25519);
        String json = "{\"algorithm\":\"Ed25519\",\"publicKey\":\"" + Base64.getEncoder().encodeToString(rotated.getPublic().getEncoded())
                + "\",\"status\":\"trusted\"}";
        String keyId = CommandKeys.keyId(rotated.getPublic());
        control.apply(codec.encode(ControlMessages.sign(ControlSettings.record(ControlSettings.KEY_PREFIX + keyId, ControlKind.TRUSTED_KEY,
                json, 4, "ops"), forger)));
        assertThat(commandKeys.find(keyId)).isNull();
        control.apply(codec.encode(ControlMessages.sign(ControlSettings.record(ControlSettings.KEY_PREFIX + keyId, ControlKind.TRUSTED_KEY,
                json, 5, "ops"), root)));
        assertThat(commandKeys.find(keyId)).isNotNull();
        control.apply(codec.encode(ControlMessages.sign(ControlSettings.record(ControlSettings.KEY_PREFIX + keyId, ControlKind.TRUSTED_KEY,
                "{\"status\":\"retired\"}", 6, "ops"), root)));
        assertThat(commandKeys.find(keyId)).isNull();
    }
}
