package io.x0tta6bl4.connectors.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key generation, key ids and PEM files (X.509 SubjectPublicKeyInfo for public keys, PKCS#8 for private ones).
 *
 * <p>A key set on disk is a directory with {@code <alg>.pub.pem} and {@code <alg>.key.pem} per algorithm,
 * e.g. {@code ml-dsa-65.key.pem}; the private files are written owner-only.
 */
public final class CommandKeys {
    private static final String PUBLIC_PEM = "PUBLIC KEY";
    private static final String PRIVATE_PEM = "PRIVATE KEY";

    private CommandKeys() {}

    public static KeyPair generate(SignatureAlgorithm algorithm) {
        try {
            return KeyPairGenerator.getInstance(algorithm.jcaName(), Crypto.BC).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + algorithm.jcaName() + " key", e);
        }
    }

    /** Hex of the first 16 bytes of SHA-256 over the SubjectPublicKeyInfo: stable, public, short. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String fileStem(SignatureAlgorithm algorithm) {
        return algorithm.jcaName().toLowerCase();
    }

    /** Writes a fresh key pair of every algorithm into {@code dir}; returns the signing identity. */
    public static void generateKeySet(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            KeyPair pair = generate(algorithm);
            writePem(dir.resolve(fileStem(algorithm) + ".pub.pem"), PUBLIC_PEM, pair.getPublic().getEncoded(), false);
            writePem(dir.resolve(fileStem(algorithm) + ".key.pem"), PRIVATE_PEM, pair.getPrivate().getEncoded(), true);
        }
    }

    public static PublicKey readPublicKey(Path file, SignatureAlgorithm algorithm) throws IOException {
        try {
            return KeyFactory.getInstance(algorithm.jcaName(), Crypto.BC)
                    .generatePublic(new X509EncodedKeySpec(readPem(file, PUBLIC_PEM)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a " + algorithm.jcaName() + " public key: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file, SignatureAlgorithm algorithm) throws IOException {
        try {
            return KeyFactory.getInstance(algorithm.jcaName(), Crypto.BC)
                    .generatePrivate(new PKCS8EncodedKeySpec(readPem(file, PRIVATE_PEM)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a " + algorithm.jcaName() + " private key: " + e.getMessage(), e);
        }
    }

    static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        if (secret) {
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: nothing more we can do
            }
        }
    }

    static byte[] readPem(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + " has no '" + begin + "' block");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }
}
