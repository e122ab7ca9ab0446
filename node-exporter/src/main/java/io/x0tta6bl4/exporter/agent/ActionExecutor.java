package io.x0tta6bl4.exporter.agent;

import java.util.Map;

/**
 * Executes one kind of action (one class per action). Parameters arrive already checked against the node's
 * policy. Implementations never pass parameters through a shell.
 */
public interface ActionExecutor {
    /** What an execution did. */
    record Outcome(boolean success, String detail) {
        public static Outcome ok(String detail) {
            return new Outcome(true, detail);
        }

        public static Outcome failed(String detail) {
            return new Outcome(false, detail);
        }
    }

    /** The action name commands use, e.g. "service.restart". */
    String action();

    /** Runs the action; with {@code dryRun} it only says what it would do. */
    Outcome execute(Map<String, String> params, boolean dryRun) throws Exception;
}
