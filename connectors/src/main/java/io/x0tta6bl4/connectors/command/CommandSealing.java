package io.x0tta6bl4.connectors.command;

import io.x0tta6bl4.schema.SealedBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.Cipher;
import javax.crypto.KEM;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Confidential command bodies: the canonical body is encrypted with AES-256-GCM under a fresh key
 * encapsulated to the target agent's ML-KEM-768 public key (FIPS 203), so other nodes reading the command
 * topic learn nothing of the parameters. The key id is authenticated as GCM associated data.
 */
public final class CommandSealing {
    public static final String KEM_ALGORITHM = "ML-KEM-768";
    private static final SecureRandom RANDOM = new SecureRandom();

    private CommandSealing() {}

    /** The encrypted body and what the agent needs to open it. */
    public record Sealed(byte[] ciphertext, SealedBody header) {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(KEM_ALGORITHM, Crypto.BC).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Sealed seal(byte[] canonicalBody, PublicKey agentKey) {
        try {
            KEM.Encapsulated encapsulated = KEM.getInstance(KEM_ALGORITHM, Crypto.BC).newEncapsulator(agentKey).encapsulate();
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            String keyId = CommandKeys.keyId(agentKey);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, aesKey(encapsulated.key()), new GCMParameterSpec(128, iv));
            gcm.updateAAD(keyId.getBytes(StandardCharsets.US_ASCII));
            byte[] ciphertext = gcm.doFinal(canonicalBody);
            return new Sealed(ciphertext, new SealedBody(keyId, ByteBuffer.wrap(encapsulated.encapsulation()), ByteBuffer.wrap(iv)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal command body: " + e.getMessage(), e);
        }
    }

    public static byte[] open(byte[] ciphertext, SealedBody header, PrivateKey agentKey, String agentKeyId) throws CommandRejectedException {
        if (!header.getKemKeyId().equals(agentKeyId)) {
            throw new CommandRejectedException(RejectReason.MALFORMED, "command is sealed to key " + header.getKemKeyId()
                    + ", this agent holds " + agentKeyId);
        }
        try {
            SecretKey shared = KEM.getInstance(KEM_ALGORITHM, Crypto.BC).newDecapsulator(agentKey)
                    .decapsulate(CanonicalCommand.bytes(header.getEncapsulation()));
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, aesKey(shared), new GCMParameterSpec(128, CanonicalCommand.bytes(header.getIv())));
            gcm.updateAAD(agentKeyId.getBytes(StandardCharsets.US_ASCII));
            return gcm.doFinal(ciphertext);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CommandRejectedException(RejectReason.MALFORMED, "sealed command body does not open: " + e.getClass().getSimpleName());
        }
    }

    private static SecretKeySpec aesKey(SecretKey shared) {
        return new SecretKeySpec(shared.getEncoded(), 0, 32, "AES");
    }

    public static void writeKeyPair(KeyPair pair, Path publicFile, Path privateFile) throws IOException {
        CommandKeys.writePem(publicFile, "PUBLIC KEY", pair.getPublic().getEncoded(), false);
        CommandKeys.writePem(privateFile, "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
    }

    public static PublicKey readPublicKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(KEM_ALGORITHM, Crypto.BC).generatePublic(new X509EncodedKeySpec(CommandKeys.readPem(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an ML-KEM-768 public key", e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(KEM_ALGORITHM, Crypto.BC).generatePrivate(new PKCS8EncodedKeySpec(CommandKeys.readPem(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an ML-KEM-768 private key", e);
        }
    }
}
