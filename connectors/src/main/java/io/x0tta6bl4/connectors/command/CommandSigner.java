package io.x0tta6bl4.connectors.command;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandSignature;
import io.x0tta6bl4.schema.SignedCommand;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Signs command bodies with every configured key (one per algorithm: ML-DSA-65 and Ed25519).
 *
 * <p>Each signature covers the same message: {@link #CONTEXT} followed by the canonical body bytes. The
 * context keeps a command signature from being valid as any other kind of message signed by the same key.
 * Not thread-safe: one signer per task.
 */
public final class CommandSigner {
    /** Domain separation prefix of every signed command message. */
    public static final byte[] CONTEXT = "x0tta6bl4/command/v1\0".getBytes(StandardCharsets.US_ASCII);

    private record Key(String keyId, Signature engine) {}

    private static final java.security.SecureRandom RANDOM = drbg();

    private final Map<SignatureAlgorithm, Key> keys = new EnumMap<>(SignatureAlgorithm.class);

    private static java.security.SecureRandom drbg() {
        try {
            return java.security.SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new java.security.SecureRandom();
        }
    }

    private CommandSigner() {}

    /** A signer with the given key pairs; the key ids are derived from their public halves. */
    public static CommandSigner of(Map<SignatureAlgorithm, KeyPair> pairs) {
        CommandSigner signer = new CommandSigner();
        pairs.forEach((algorithm, pair) -> signer.add(algorithm, CommandKeys.keyId(pair.getPublic()), pair.getPrivate()));
        if (signer.keys.isEmpty()) {
            throw new IllegalArgumentException("a command signer needs at least one key");
        }
        return signer;
    }

    /** Loads every algorithm's key pair from a key-set directory (see {@link CommandKeys}). */
    public static CommandSigner fromKeySet(Path dir) throws IOException {
        CommandSigner signer = new CommandSigner();
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            Path priv = dir.resolve(CommandKeys.fileStem(algorithm) + ".key.pem");
            Path pub = dir.resolve(CommandKeys.fileStem(algorithm) + ".pub.pem");
            if (Files.exists(priv)) {
                String keyId = CommandKeys.keyId(CommandKeys.readPublicKey(pub, algorithm));
                signer.add(algorithm, keyId, CommandKeys.readPrivateKey(priv, algorithm));
            }
        }
        if (signer.keys.isEmpty()) {
            throw new IOException("no private keys (*.key.pem) in " + dir);
        }
        return signer;
    }

    /** Signs {@code context || message} with every key; the context separates kinds of signed messages. */
    public List<CommandSignature> signatures(byte[] context, byte[] message) {
        List<CommandSignature> signatures = new ArrayList<>(keys.size());
        for (Map.Entry<SignatureAlgorithm, Key> e : keys.entrySet()) {
            Key key = e.getValue();
            try {
                key.engine().update(context);
                key.engine().update(message);
                signatures.add(new CommandSignature(e.getKey().jcaName(), key.keyId(), ByteBuffer.wrap(key.engine().sign())));
            } catch (GeneralSecurityException ex) {
                throw new IllegalStateException("signing with " + e.getKey().jcaName() + " failed", ex);
            }
        }
        return signatures;
    }

    private void add(SignatureAlgorithm algorithm, String keyId, PrivateKey key) {
        try {
            Signature engine = Signature.getInstance(algorithm.jcaName(), Crypto.BC);
            // Initialised once: after sign() a JCA engine is ready to sign again with the same key. ML-DSA's hedged
            // signing draws fresh randomness per signature; a NIST DRBG serves it ~1.5x faster than the default source.
            engine.initSign(key, RANDOM);
            keys.put(algorithm, new Key(keyId, engine));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no " + algorithm.jcaName() + " signature engine", e);
        }
    }

    public SignedCommand sign(CommandBody body) {
        return sign(body, null);
    }

    /**
     * Signs a command; with the target agent's ML-KEM-768 key the body is sealed first and the signatures
     * cover the ciphertext, so an agent rejects a forgery before it decrypts anything.
     */
    public SignedCommand sign(CommandBody body, PublicKey agentKemKey) {
        byte[] canonical = CanonicalCommand.encode(body);
        io.x0tta6bl4.schema.SealedBody sealed = null;
        if (agentKemKey != null) {
            CommandSealing.Sealed s = CommandSealing.seal(canonical, agentKemKey);
            canonical = s.ciphertext();
            sealed = s.header();
        }
        List<CommandSignature> signatures = signatures(CONTEXT, canonical);
        return SignedCommand.newBuilder()
                .setCommandId(body.getCommandId())
                .setTargetNodeId(body.getTargetNodeId())
                .setBodyVersion(1)
                .setBody(ByteBuffer.wrap(canonical))
                .setSignatures(signatures)
                .setSealed(sealed)
                .build();
    }
}
