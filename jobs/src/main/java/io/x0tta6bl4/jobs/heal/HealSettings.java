package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.connectors.ControlSettings;
import io.x0tta6bl4.jobs.common.JobConfig;
import java.io.Serializable;

/**
 * HealJob's timing and default policy.
 *
 * @param cooldownMs minimum time between two identical actions on one node
 * @param commandTtlMs how long a command stays valid after it is issued
 * @param verifyWindowMs how long an incident may stay open after an action before the next one is tried
 * @param planMaxAgeMs after this long an incident's plan is dropped, resolved or not
 * @param defaultPolicy the policy in force until the control topic sets one
 */
public record HealSettings(long cooldownMs, long commandTtlMs, long verifyWindowMs, long planMaxAgeMs,
        ControlSettings.HealPolicy defaultPolicy) implements Serializable {

    public HealSettings {
        if (cooldownMs < 0 || commandTtlMs <= 0 || verifyWindowMs <= 0 || planMaxAgeMs <= verifyWindowMs) {
            throw new IllegalArgumentException("inconsistent heal settings");
        }
    }

    public static HealSettings from(JobConfig config) {
        String mode = config.get("heal.mode");
        if (!mode.equals("auto") && !mode.equals("suggest")) {
            throw new IllegalArgumentException("heal.mode must be auto or suggest, not '" + mode + "'");
        }
        return new HealSettings(config.getLong("cooldown.ms"), config.getLong("command.ttl.ms"), config.getLong("verify.window.ms"),
                30 * 60_000L, new ControlSettings.HealPolicy(mode, Boolean.parseBoolean(config.get("heal.dry-run")), ""));
    }
}
