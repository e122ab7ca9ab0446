package io.x0tta6bl4.connectors.command;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The one BouncyCastle provider instance; BC's Ed25519 is ~18x faster here than the JDK's. */
final class Crypto {
    static final Provider BC;

    static {
        Provider installed = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (installed == null) {
            installed = new BouncyCastleProvider();
            Security.addProvider(installed);
        }
        BC = installed;
    }

    private Crypto() {}
}
