package io.x0tta6bl4.connectors.command;

/** The signature algorithms a command carries. Agents require every one of them (hybrid signing). */
public enum SignatureAlgorithm {
    /** FIPS 204 lattice signature: stays secure against quantum adversaries. */
    ML_DSA_65("ML-DSA-65"),
    /** Classical signature: keeps commands safe should a flaw be found in the young post-quantum scheme. */
    ED25519("Ed25519");

    private final String jcaName;

    SignatureAlgorithm(String jcaName) {
        this.jcaName = jcaName;
    }

    public String jcaName() {
        return jcaName;
    }

    public static SignatureAlgorithm fromJcaName(String name) {
        for (SignatureAlgorithm a : values()) {
            if (a.jcaName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown signature algorithm '" + name + "'");
    }
}
