package io.x0tta6bl4.connectors.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public keys an agent trusts, by key id. Several keys per algorithm may be trusted at once, which is
 * what makes rotation possible: announce the new key, switch the signer, retire the old key.
 */
public final class TrustStore {
    /** A trusted public key. */
    public record TrustedKey(String keyId, SignatureAlgorithm algorithm, PublicKey publicKey) {}

    private final Map<String, TrustedKey> byId = new ConcurrentHashMap<>();

    public TrustStore trust(SignatureAlgorithm algorithm, PublicKey key) {
        String id = CommandKeys.keyId(key);
        byId.put(id, new TrustedKey(id, algorithm, key));
        return this;
    }

    public void retire(String keyId) {
        byId.remove(keyId);
    }

    public TrustedKey find(String keyId) {
        return byId.get(keyId);
    }

    public int size() {
        return byId.size();
    }

    /** Trusts every public key ({@code <alg>.pub.pem}) found in a key-set directory. */
    public static TrustStore fromKeySet(Path dir) throws IOException {
        TrustStore store = new TrustStore();
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            Path pub = dir.resolve(CommandKeys.fileStem(algorithm) + ".pub.pem");
            if (Files.exists(pub)) {
                store.trust(algorithm, CommandKeys.readPublicKey(pub, algorithm));
            }
        }
        if (store.size() == 0) {
            throw new IOException("no public keys (*.pub.pem) in " + dir);
        }
        return store;
    }
}
