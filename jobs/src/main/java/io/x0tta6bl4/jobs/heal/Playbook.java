package io.x0tta6bl4.jobs.heal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Declarative remediation: rules that match an incident's top root cause (by fault kind and, optionally,
 * metric prefix, minimum score, the node's labels and the incident's minimum severity) and map it to an ordered list of actions with parameters. The first rule
 * that matches wins; its actions are tried in order (later ones are escalations).
 *
 * <pre>
 * version: "1"
 * rules:
 *   - name: cpu-saturation
 *     match: {kind: cpu_saturation, minScore: 0.5}
 *     actions:
 *       - {action: cpu.throttle, params: {quota_percent: "50"}}
 * </pre>
 */
public final class Playbook implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How much autonomy an action gets. */
    public enum Risk {
        /** Runs without a human: only for reversible actions. */
        AUTO,
        /** Proposed with its evidence; runs once an operator approves it on the control topic. */
        APPROVE,
        /** Never run automatically (listed for the record and for suggestions). */
        NEVER
    }

    /** One action of a rule, its risk tier, and the action that undoes it (if it can be undone). */
    public record Step(String action, Map<String, String> params, Risk risk, Step rollback) implements Serializable {
        public Step(String action, Map<String, String> params) {
            this(action, params, Risk.AUTO, null);
        }
    }

    /** One rule: what it matches and what it does. */
    public record Rule(String name, String kind, String metricPrefix, double minScore, Map<String, String> labels, double minSeverity,
            List<Step> actions) implements Serializable {
        public Rule(String name, String kind, String metricPrefix, double minScore, List<Step> actions) {
            this(name, kind, metricPrefix, minScore, Map.of(), 0.0, actions);
        }

        boolean matches(String causeKind, String metric, double score, Map<String, String> nodeLabels, double severity) {
            return kind.equals(causeKind) && (metricPrefix == null || metric.startsWith(metricPrefix)) && score >= minScore
                    && severity >= minSeverity && nodeLabels.entrySet().containsAll(labels.entrySet());
        }
    }

    private final String version;
    private final List<Rule> rules;

    public Playbook(String version, List<Rule> rules) {
        this.version = version;
        this.rules = List.copyOf(rules);
    }

    public String version() {
        return version;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rule with this name, or null. */
    public Rule rule(String name) {
        for (Rule rule : rules) {
            if (rule.name().equals(name)) {
                return rule;
            }
        }
        return null;
    }

    /** The first rule matching a root cause, or null. */
    public Rule match(String causeKind, String metric, double score) {
        return match(causeKind, metric, score, Map.of(), 1.0);
    }

    /** The first rule matching a root cause on a node with these labels, in an incident of this severity, or null. */
    public Rule match(String causeKind, String metric, double score, Map<String, String> nodeLabels, double severity) {
        for (Rule rule : rules) {
            if (rule.matches(causeKind, metric, score, nodeLabels, severity)) {
                return rule;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Step step(Map<String, Object> step, String where) {
        Map<String, String> params = new LinkedHashMap<>();
        Object p = step.get("params");
        if (p instanceof Map<?, ?> pm) {
            pm.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Risk risk;
        try {
            risk = Risk.valueOf(String.valueOf(step.getOrDefault("risk", "auto")).toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": risk must be auto, approve or never");
        }
        Step rollback = null;
        if (step.get("rollback") instanceof Map<?, ?> r) {
            if (((Map<String, Object>) r).get("action") == null) {
                throw new IllegalArgumentException(where + ": a rollback needs 'action'");
            }
            rollback = step((Map<String, Object>) r, where + " rollback");
        }
        boolean reversible = rollback != null || Boolean.TRUE.equals(step.get("reversible"));
        if (risk == Risk.AUTO && !reversible && step.get("action") != null && !where.endsWith("rollback")) {
            throw new IllegalArgumentException(where + ": risk 'auto' is for reversible actions only; give a rollback or use risk 'approve'");
        }
        return new Step(String.valueOf(step.get("action")), params, risk, rollback);
    }

    /** The playbook shipped in the jar. */
    public static Playbook builtIn() {
        try (InputStream in = Playbook.class.getResourceAsStream("/x0/playbook.yaml")) {
            return parse(in, "built-in playbook");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in playbook", e);
        }
    }

    public static Playbook load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        }
    }

    /** Parses and validates a playbook; every error names the rule and field at fault. */
    @SuppressWarnings("unchecked")
    public static Playbook parse(InputStream in, String source) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        if (!(root instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException(source + ": a playbook is a mapping with 'version' and 'rules'");
        }
        Object version = top.get("version");
        Object rulesNode = top.get("rules");
        if (version == null || !(rulesNode instanceof List<?> ruleList) || ruleList.isEmpty()) {
            throw new IllegalArgumentException(source + ": needs a 'version' and a non-empty list 'rules'");
        }
        List<Rule> rules = new ArrayList<>();
        for (Object r : ruleList) {
            Map<String, Object> rule = (Map<String, Object>) r;
            String name = String.valueOf(rule.getOrDefault("name", "rule #" + (rules.size() + 1)));
            Map<String, Object> match = (Map<String, Object>) rule.get("match");
            if (match == null || match.get("kind") == null) {
                throw new IllegalArgumentException(source + ", " + name + ": 'match.kind' is required");
            }
            Object actionsNode = rule.get("actions");
            if (!(actionsNode instanceof List<?> actionList) || actionList.isEmpty()) {
                throw new IllegalArgumentException(source + ", " + name + ": 'actions' must be a non-empty list");
            }
            List<Step> steps = new ArrayList<>();
            for (Object a : actionList) {
                Map<String, Object> step = (Map<String, Object>) a;
                Object action = step.get("action");
                if (action == null) {
                    throw new IllegalArgumentException(source + ", " + name + ": every action needs 'action'");
                }
                steps.add(step(step, source + ", " + name + ", " + action));
            }
            double minScore = match.get("minScore") == null ? 0.0 : ((Number) match.get("minScore")).doubleValue();
            Object prefix = match.get("metricPrefix");
            Map<String, String> labels = new LinkedHashMap<>();
            if (match.get("labels") instanceof Map<?, ?> lm) {
                lm.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
            }
            double minSeverity = match.get("minSeverity") == null ? 0.0 : ((Number) match.get("minSeverity")).doubleValue();
            rules.add(new Rule(name, match.get("kind").toString(), prefix == null ? null : prefix.toString(), minScore, labels,
                    minSeverity, steps));
        }
        return new Playbook(version.toString(), rules);
    }
}
