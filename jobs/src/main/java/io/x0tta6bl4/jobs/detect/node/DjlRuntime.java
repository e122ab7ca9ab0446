package io.x0tta6bl4.jobs.detect.node;

/**
 * Whether DJL with its PyTorch engine can run in this JVM, decided once. libtorch loads into one class loader per
 * JVM, so the engine is touched through this holder only; offline mode and one intra-/inter-op thread are set
 * before it loads (the defaults make a small training step 1000x slower on a busy machine).
 */
public final class DjlRuntime {
    private static String unavailable; // both guarded by the class lock
    private static boolean checked;

    private DjlRuntime() {}

    /** Null when DJL works here; otherwise why not (DJL not on the class path, no native library, ...). */
    public static synchronized String unavailableReason() {
        if (!checked) {
            checked = true;
            System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
            System.setProperty("ai.djl.pytorch.num_threads", System.getProperty("ai.djl.pytorch.num_threads", "1"));
            System.setProperty("ai.djl.pytorch.num_interop_threads", System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
            try {
                Class.forName("ai.djl.engine.Engine");
                ai.djl.engine.Engine.getEngine("PyTorch");
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                unavailable = "DJL is not on the class path (on a Flink cluster put it in lib/): " + e.getMessage();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                unavailable = "DJL's PyTorch engine does not load: " + e;
            }
        }
        return unavailable;
    }
}
