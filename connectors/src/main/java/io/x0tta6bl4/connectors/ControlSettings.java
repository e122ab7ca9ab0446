package io.x0tta6bl4.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.schema.ControlKind;
import io.x0tta6bl4.schema.ControlRecord;
import java.util.List;

/**
 * The settings operators publish on the compacted control topic, and how their JSON values read.
 *
 * <ul>
 *   <li>{@code kill-switch} (KILL_SWITCH): {@code {"paused": true}} stops every new command fleet-wide;</li>
 *   <li>{@code heal-policy} (POLICY): {@code {"mode": "auto"|"suggest", "dryRun": false, "suggestNodes": "regex",
 *       "suggestLabels": {"env": "prod"}}};</li>
 *   <li>{@code approval/<proposalId>} (APPROVAL): approves one proposed command, once;</li>
 *   <li>{@code key/<keyId>} (TRUSTED_KEY): {@code {"algorithm": "...", "publicKey": "<base64 SPKI>", "status": "trusted"|"retired"}};</li>
 *   <li>{@code dependency/<caller>} (DEPENDENCY): {@code {"caller": "web-1", "callees": ["db-1"]}}: what a node calls or runs
 *       on, for DiagnoseJob's cross-node root-cause analysis; the latest record per caller replaces its callees.</li>
 * </ul>
 */
public final class ControlSettings {
    public static final String KILL_SWITCH = "kill-switch";
    public static final String HEAL_POLICY = "heal-policy";
    public static final String APPROVAL_PREFIX = "approval/";
    public static final String KEY_PREFIX = "key/";
    public static final String DEPENDENCY_PREFIX = "dependency/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ControlSettings() {}

    /** The heal policy: mode, global dry run, and which nodes are in suggest-only mode. */
    public record HealPolicy(String mode, boolean dryRun, String suggestNodes, java.util.Map<String, String> suggestLabels)
            implements java.io.Serializable {
        public static final HealPolicy DEFAULT = new HealPolicy("auto", false, "", java.util.Map.of());

        public HealPolicy(String mode, boolean dryRun, String suggestNodes) {
            this(mode, dryRun, suggestNodes, java.util.Map.of());
        }

        /** Whether a node is in suggest-only mode: globally, by node id, or by its labels (e.g. env=prod). */
        public boolean suggestOnly(String nodeId, java.util.Map<String, String> labels) {
            return "suggest".equals(mode) || (!suggestNodes.isEmpty() && nodeId.matches(suggestNodes))
                    || (!suggestLabels.isEmpty() && labels.entrySet().containsAll(suggestLabels.entrySet()));
        }
    }

    public static ControlRecord record(String settingId, ControlKind kind, String json, long nowMs, String author) {
        return ControlRecord.newBuilder().setSettingId(settingId).setKind(kind).setValue(json).setUpdatedAtMs(nowMs)
                .setAuthor(author).setSignatures(List.of()).build();
    }

    public static ControlRecord killSwitch(boolean paused, long nowMs, String author) {
        return record(KILL_SWITCH, ControlKind.KILL_SWITCH, "{\"paused\":" + paused + "}", nowMs, author);
    }

    public static ControlRecord approval(String proposalId, long nowMs, String author) {
        return record(APPROVAL_PREFIX + proposalId, ControlKind.APPROVAL, "{\"proposalId\":\"" + proposalId + "\"}", nowMs, author);
    }

    public static ControlRecord dependency(String caller, java.util.Collection<String> callees, long nowMs, String author) {
        var node = JSON.createObjectNode();
        node.put("caller", caller);
        callees.forEach(node.withArray("callees")::add);
        return record(DEPENDENCY_PREFIX + caller, ControlKind.DEPENDENCY, node.toString(), nowMs, author);
    }

    /** A dependency record's callees (empty: the caller depends on nothing any more). */
    public static java.util.Set<String> callees(ControlRecord dependency) {
        java.util.Set<String> callees = new java.util.TreeSet<>();
        json(dependency).path("callees").forEach(c -> callees.add(c.asText()));
        return callees;
    }

    public static boolean paused(ControlRecord killSwitch) {
        return killSwitch != null && json(killSwitch).path("paused").asBoolean(false);
    }

    public static HealPolicy healPolicy(ControlRecord policy) {
        if (policy == null) {
            return HealPolicy.DEFAULT;
        }
        JsonNode v = json(policy);
        String mode = v.path("mode").asText("auto");
        if (!mode.equals("auto") && !mode.equals("suggest")) {
            mode = "suggest"; // an unreadable mode must never widen what is automated
        }
        java.util.Map<String, String> labels = new java.util.TreeMap<>();
        v.path("suggestLabels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new HealPolicy(mode, v.path("dryRun").asBoolean(false), v.path("suggestNodes").asText(""), labels);
    }

    public static JsonNode json(ControlRecord record) {
        try {
            return JSON.readTree(record.getValue());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
