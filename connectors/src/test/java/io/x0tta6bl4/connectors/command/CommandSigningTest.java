package io.x0tta6bl4.connectors.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandParameter;
import io.x0tta6bl4.schema.CommandSignature;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandSigningTest {
    static KeyPair mldsa;
    static KeyPair ed;
    static CommandSigner signer;
    static TrustStore trust;

    @BeforeAll
    static void keys() {
        mldsa = CommandKeys.generate(SignatureAlgorithm.ML_DSA_65);
        ed = CommandKeys.generate(SignatureAlgorithm.ED25519);
        signer = CommandSigner.of(Map.of(SignatureAlgorithm.ML_DSA_65, mldsa, SignatureAlgorithm.ED25519, ed));
        trust = new TrustStore().trust(SignatureAlgorithm.ML_DSA_65, mldsa.getPublic()).trust(SignatureAlgorithm.ED25519, ed.getPublic());
    }

    static CommandBody body() {
        return CommandBody.newBuilder()
                .setCommandId("c-1").setIncidentId("i-1").setTargetNodeId("node-1").setAction("service.restart")
                .setParameters(List.of(new CommandParameter("unit", "app.service"), new CommandParameter("a", "1")))
                .setIssuedAtMs(1000).setExpiresAtMs(61000).setNonce("n").setPolicyVersion("1").build();
    }

    @Test
    void hybridSignatureVerifiesAndYieldsTheBody() throws Exception {
        SignedCommand signed = signer.sign(body());
        assertThat(signed.getSignatures()).extracting(CommandSignature::getAlgorithm).containsExactlyInAnyOrder("ML-DSA-65", "Ed25519");
        CommandBody verified = CommandVerifier.hybrid(trust).verify(signed);
        assertThat(verified.getCommandId()).isEqualTo("c-1");
        assertThat(verified.getParameters()).extracting(CommandParameter::getName).containsExactly("a", "unit");
    }

    @Test
    void tamperedBodyIsRefused() {
        SignedCommand signed = signer.sign(body());
        byte[] bytes = signed.getBody().array().clone();
        bytes[bytes.length - 3] ^= 1;
        signed.setBody(ByteBuffer.wrap(bytes));
        assertThatThrownBy(() -> CommandVerifier.hybrid(trust).verify(signed))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.BAD_SIGNATURE));
    }

    @Test
    void keyNotInTheTrustStoreIsRefused() {
        TrustStore other = new TrustStore()
                .trust(SignatureAlgorithm.ML_DSA_65, CommandKeys.generate(SignatureAlgorithm.ML_DSA_65).getPublic())
                .trust(SignatureAlgorithm.ED25519, CommandKeys.generate(SignatureAlgorithm.ED25519).getPublic());
        assertThatThrownBy(() -> CommandVerifier.hybrid(other).verify(signer.sign(body())))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.UNKNOWN_KEY));
    }

    @Test
    void oneSignatureAloneIsNotEnough() {
        SignedCommand signed = signer.sign(body());
        List<CommandSignature> onlyEd = new ArrayList<>(signed.getSignatures());
        onlyEd.removeIf(s -> s.getAlgorithm().equals("ML-DSA-65"));
        signed.setSignatures(onlyEd);
        assertThatThrownBy(() -> CommandVerifier.hybrid(trust).verify(signed))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.MISSING_SIGNATURE));
    }

    @Test
    void signatureSwappedBetweenCommandsIsRefused() {
        SignedCommand a = signer.sign(body());
        CommandBody otherBody = body();
        otherBody.setCommandId("c-2");
        SignedCommand b = signer.sign(otherBody);
        a.setSignatures(b.getSignatures());
        assertThatThrownBy(() -> CommandVerifier.hybrid(trust).verify(a))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.BAD_SIGNATURE));
    }

    @Test
    void nonCanonicalBodyIsRefusedEvenIfSigned() throws Exception {
        // Parameters out of order: a valid Avro body, but not the canonical one.
        CommandBody body = body();
        byte[] canonical = CanonicalCommand.encode(body);
        assertThat(CanonicalCommand.decode(canonical).getCommandId()).isEqualTo("c-1");
        byte[] withTrailing = java.util.Arrays.copyOf(canonical, canonical.length + 1);
        assertThatThrownBy(() -> CanonicalCommand.decode(withTrailing)).isInstanceOf(CommandRejectedException.class);
    }

    @Test
    void keySetsRoundTripThroughPemFiles(@TempDir Path dir) throws Exception {
        CommandKeys.generateKeySet(dir);
        CommandSigner fromFiles = CommandSigner.fromKeySet(dir);
        TrustStore trustFromFiles = TrustStore.fromKeySet(dir);
        assertThat(CommandVerifier.hybrid(trustFromFiles).verify(fromFiles.sign(body())).getAction()).isEqualTo("service.restart");
        assertThat(new CommandVerifier(trustFromFiles, EnumSet.of(SignatureAlgorithm.ED25519)).verify(fromFiles.sign(body()))).isNotNull();
    }

    @Test
    void sealedBodyOpensOnlyForTheTargetAgentAndHidesTheParameters() throws Exception {
        KeyPair agent = CommandSealing.generate();
        KeyPair otherAgent = CommandSealing.generate();
        SignedCommand sealed = signer.sign(body(), agent.getPublic());
        assertThat(sealed.getSealed()).isNotNull();
        assertThat(new String(sealed.getBody().array(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("app.service");

        CommandBody opened = CommandVerifier.hybrid(trust).withKemKey(agent.getPrivate(), agent.getPublic()).verify(sealed);
        assertThat(opened.getParameters()).contains(new CommandParameter("unit", "app.service"));

        assertThatThrownBy(() -> CommandVerifier.hybrid(trust).withKemKey(otherAgent.getPrivate(), otherAgent.getPublic()).verify(sealed))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.getMessage()).contains("sealed to key"));
        assertThatThrownBy(() -> CommandVerifier.hybrid(trust).verify(sealed))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.getMessage()).contains("no ML-KEM-768 key"));
        // A swapped encapsulation yields another AES key: the body does not open.
        SignedCommand swapped = signer.sign(body(), agent.getPublic());
        swapped.getSealed().setEncapsulation(CommandSealing.seal(new byte[] {1}, agent.getPublic()).header().getEncapsulation());
        assertThatThrownBy(() -> CommandVerifier.hybrid(trust).withKemKey(agent.getPrivate(), agent.getPublic()).verify(swapped))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.getMessage()).contains("does not open"));
    }
}
