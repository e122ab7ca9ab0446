package io.x0tta6bl4.exporter.agent;

import io.x0tta6bl4.connectors.command.CommandRejectedException;
import io.x0tta6bl4.connectors.command.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The node's own allowlist: which actions may run here, and the bounds of each parameter. A signed command
 * is still refused if local policy does not allow it: the control plane can be wrong, the node decides.
 *
 * <pre>
 * actions:
 *   cpu.throttle:
 *     quota_percent: "int 10..100"
 *     unit: "re [A-Za-z0-9@._-]{1,64}[.]service"
 * </pre>
 * Every parameter a command carries must be listed; {@code fault_kind} (informational) always is.
 */
public final class AgentPolicy {
    private static final Pattern FAULT_KIND = Pattern.compile("[a-z_]{1,32}");

    /** A bound on one parameter. */
    private interface Bound {
        boolean allows(String value);
    }

    /** A node-scoped restriction: nodes whose labels include all of {@code match} may not run {@code deny}. */
    private record NodeRule(Map<String, String> match, java.util.Set<String> deny) {}

    private final Map<String, Map<String, Bound>> actions;
    private final Map<String, Map<String, String>> specs;
    private final java.util.List<NodeRule> nodeRules;
    private final Map<String, String> nodeLabels;

    private AgentPolicy(Map<String, Map<String, Bound>> actions, Map<String, Map<String, String>> specs,
            java.util.List<NodeRule> nodeRules, Map<String, String> nodeLabels) {
        this.actions = actions;
        this.specs = specs;
        this.nodeRules = nodeRules;
        this.nodeLabels = nodeLabels;
    }

    /** This policy as it applies to a node with these attributes (role, zone, ...): node rules may deny more. */
    public AgentPolicy forNode(Map<String, String> labels) {
        return new AgentPolicy(actions, specs, nodeRules, Map.copyOf(labels));
    }

    public static AgentPolicy builtIn() {
        try (InputStream in = AgentPolicy.class.getResourceAsStream("/x0/agent-policy.yaml")) {
            return parse(in, "built-in agent policy");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static AgentPolicy load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        }
    }

    @SuppressWarnings("unchecked")
    public static AgentPolicy parse(InputStream in, String source) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        if (!(root instanceof Map<?, ?> top) || !(top.get("actions") instanceof Map<?, ?> actionMap)) {
            throw new IllegalArgumentException(source + ": an agent policy is a mapping with 'actions'");
        }
        Map<String, Map<String, Bound>> actions = new TreeMap<>();
        Map<String, Map<String, String>> specs = new TreeMap<>();
        ((Map<String, Object>) actionMap).forEach((action, paramsNode) -> {
            Map<String, Bound> bounds = new LinkedHashMap<>();
            Map<String, String> spec = new LinkedHashMap<>();
            if (paramsNode instanceof Map<?, ?> params) {
                params.forEach((name, s) -> {
                    bounds.put(name.toString(), bound(s.toString(), source + ", " + action + "." + name));
                    spec.put(name.toString(), s.toString());
                });
            }
            actions.put(action, bounds);
            specs.put(action, spec);
        });
        java.util.List<NodeRule> nodeRules = new java.util.ArrayList<>();
        if (top.get("nodes") instanceof java.util.List<?> list) {
            for (Object n : list) {
                Map<String, Object> rule = (Map<String, Object>) n;
                Map<String, String> match = new TreeMap<>();
                if (rule.get("match") instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> match.put(k.toString(), v.toString()));
                }
                java.util.Set<String> deny = new java.util.TreeSet<>();
                if (rule.get("deny") instanceof java.util.List<?> d) {
                    d.forEach(a -> deny.add(a.toString()));
                }
                if (match.isEmpty() || deny.isEmpty()) {
                    throw new IllegalArgumentException(source + ": every node rule needs 'match' labels and a 'deny' list");
                }
                nodeRules.add(new NodeRule(match, deny));
            }
        }
        return new AgentPolicy(actions, specs, nodeRules, Map.of());
    }

    private static Bound bound(String spec, String where) {
        if (spec.startsWith("int ")) {
            String[] range = spec.substring(4).trim().split("\\.\\.");
            if (range.length != 2) {
                throw new IllegalArgumentException(where + ": expected 'int MIN..MAX', got '" + spec + "'");
            }
            long min = Long.parseLong(range[0].trim());
            long max = Long.parseLong(range[1].trim());
            return value -> {
                try {
                    long v = Long.parseLong(value);
                    return v >= min && v <= max;
                } catch (NumberFormatException e) {
                    return false;
                }
            };
        }
        if (spec.startsWith("re ")) {
            Pattern pattern = Pattern.compile(spec.substring(3).trim());
            return value -> pattern.matcher(value).matches();
        }
        throw new IllegalArgumentException(where + ": a bound is 'int MIN..MAX' or 're REGEX', got '" + spec + "'");
    }

    /** Refuses an action or parameter the policy does not allow. */
    public void check(String action, Map<String, String> params) throws CommandRejectedException {
        Map<String, Bound> bounds = actions.get(action);
        if (bounds == null) {
            throw new CommandRejectedException(RejectReason.POLICY_DENIED, "action '" + action + "' is not allowed on this node");
        }
        for (NodeRule rule : nodeRules) {
            if (rule.deny().contains(action) && nodeLabels.entrySet().containsAll(rule.match().entrySet())) {
                throw new CommandRejectedException(RejectReason.POLICY_DENIED, "action '" + action + "' is denied on nodes with "
                        + rule.match());
            }
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (p.getKey().equals("fault_kind") && FAULT_KIND.matcher(p.getValue()).matches()) {
                continue;
            }
            Bound bound = bounds.get(p.getKey());
            if (bound == null) {
                throw new CommandRejectedException(RejectReason.POLICY_DENIED,
                        "parameter '" + p.getKey() + "' is not allowed for " + action);
            }
            if (!bound.allows(p.getValue())) {
                throw new CommandRejectedException(RejectReason.POLICY_DENIED, "parameter " + p.getKey() + "='" + p.getValue()
                        + "' is out of bounds for " + action + " (" + specs.get(action).get(p.getKey()) + ")");
            }
        }
    }

    public java.util.Set<String> actions() {
        return actions.keySet();
    }
}
