package io.x0tta6bl4.connectors.command;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandSignature;
import io.x0tta6bl4.schema.SignedCommand;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a command's body is canonical and carries a valid signature, by a trusted key, for every
 * required algorithm. It says nothing about target, time or replay: those are the agent's checks.
 * Not thread-safe (signature engines are reused).
 */
public final class CommandVerifier {
    /** Largest envelope body accepted; a command body is a few hundred bytes. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private final TrustStore trustStore;
    private final Set<SignatureAlgorithm> required;
    private final Map<SignatureAlgorithm, Signature> engines = new EnumMap<>(SignatureAlgorithm.class);
    private java.security.PrivateKey kemKey;
    private String kemKeyId;

    public CommandVerifier(TrustStore trustStore, Set<SignatureAlgorithm> required) {
        if (required.isEmpty()) {
            throw new IllegalArgumentException("at least one signature algorithm must be required");
        }
        this.trustStore = trustStore;
        this.required = EnumSet.copyOf(required);
        for (SignatureAlgorithm algorithm : required) {
            try {
                engines.put(algorithm, Signature.getInstance(algorithm.jcaName(), Crypto.BC));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no " + algorithm.jcaName() + " verifier", e);
            }
        }
    }

    /** Lets this verifier open command bodies sealed to the agent's ML-KEM-768 key pair. */
    public CommandVerifier withKemKey(java.security.PrivateKey privateKey, java.security.PublicKey publicKey) {
        this.kemKey = privateKey;
        this.kemKeyId = CommandKeys.keyId(publicKey);
        return this;
    }

    /** Requires both ML-DSA-65 and Ed25519. */
    public static CommandVerifier hybrid(TrustStore trustStore) {
        return new CommandVerifier(trustStore, EnumSet.allOf(SignatureAlgorithm.class));
    }

    public CommandBody verify(SignedCommand command) throws CommandRejectedException {
        ByteBuffer bodyBuffer = command.getBody();
        if (bodyBuffer == null || bodyBuffer.remaining() == 0) {
            throw new CommandRejectedException(RejectReason.MALFORMED, "empty command body");
        }
        if (bodyBuffer.remaining() > MAX_BODY_BYTES) {
            throw new CommandRejectedException(RejectReason.OVERSIZED,
                    "command body of " + bodyBuffer.remaining() + " bytes exceeds " + MAX_BODY_BYTES);
        }
        byte[] body = CanonicalCommand.bytes(bodyBuffer);

        verifySignatures(CommandSigner.CONTEXT, body, command.getSignatures());
        if (command.getSealed() != null) {
            if (kemKey == null) {
                throw new CommandRejectedException(RejectReason.MALFORMED, "command is sealed but this agent has no ML-KEM-768 key");
            }
            body = CommandSealing.open(body, command.getSealed(), kemKey, kemKeyId);
        }
        return CanonicalCommand.decode(body);
    }

    /**
     * Checks that {@code context || message} carries a valid signature by a trusted key for every required
     * algorithm. Signatures of algorithms that are not required are ignored.
     */
    public void verifySignatures(byte[] context, byte[] message, List<CommandSignature> signatures) throws CommandRejectedException {
        Set<SignatureAlgorithm> verified = EnumSet.noneOf(SignatureAlgorithm.class);
        for (CommandSignature signature : signatures) {
            SignatureAlgorithm algorithm;
            try {
                algorithm = SignatureAlgorithm.fromJcaName(signature.getAlgorithm());
            } catch (IllegalArgumentException e) {
                continue; // an algorithm we do not require cannot help or hurt
            }
            if (!required.contains(algorithm)) {
                continue;
            }
            TrustStore.TrustedKey key = trustStore.find(signature.getKeyId());
            if (key == null) {
                throw new CommandRejectedException(RejectReason.UNKNOWN_KEY,
                        algorithm.jcaName() + " key " + signature.getKeyId() + " is not trusted");
            }
            if (key.algorithm() != algorithm) {
                throw new CommandRejectedException(RejectReason.BAD_SIGNATURE,
                        "key " + key.keyId() + " is a " + key.algorithm().jcaName() + " key, not " + algorithm.jcaName());
            }
            if (!verifies(algorithm, key, context, message, signature.getValue())) {
                throw new CommandRejectedException(RejectReason.BAD_SIGNATURE,
                        algorithm.jcaName() + " signature by key " + key.keyId() + " does not verify");
            }
            verified.add(algorithm);
        }
        if (!verified.containsAll(required)) {
            EnumSet<SignatureAlgorithm> missing = EnumSet.copyOf(required);
            missing.removeAll(verified);
            throw new CommandRejectedException(RejectReason.MISSING_SIGNATURE, "no signature for " + missing);
        }
    }

    private boolean verifies(SignatureAlgorithm algorithm, TrustStore.TrustedKey key, byte[] context, byte[] body, ByteBuffer value) {
        byte[] sig = CanonicalCommand.bytes(value);
        Signature engine = engines.get(algorithm);
        try {
            engine.initVerify(key.publicKey());
            engine.update(context);
            engine.update(body);
            return engine.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a malformed signature is a bad signature, never a crash
        }
    }
}
