package io.x0tta6bl4.jobs.common;

import io.x0tta6bl4.connectors.elasticsearch.ElasticsearchSettings;
import io.x0tta6bl4.connectors.kafka.KafkaSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Job settings from, in rising precedence: defaults, a properties file ({@code --config FILE}), environment
 * variables ({@code X0_KAFKA_BOOTSTRAP} for {@code kafka.bootstrap}), and {@code --key value} arguments.
 * Unknown keys are refused, so a typo is an error and not a silently ignored setting.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every setting, its default and its meaning: also what {@code --help} prints. */
    public static final Map<String, String[]> SETTINGS = new TreeMap<>(Map.ofEntries(
            Map.entry("kafka.bootstrap", new String[] {"127.0.0.1:9092", "Kafka bootstrap servers"}),
            Map.entry("topic.prefix", new String[] {"", "prefix of every topic name (environments, tests)"}),
            Map.entry("group.prefix", new String[] {"x0-", "prefix of every consumer group id"}),
            Map.entry("start", new String[] {"committed", "where a new consumer group starts: earliest, latest, committed"}),
            Map.entry("es.url", new String[] {"http://127.0.0.1:9200", "Elasticsearch URL (IndexJob)"}),
            Map.entry("es.index.prefix", new String[] {"", "prefix of every Elasticsearch index"}),
            Map.entry("keys.dir", new String[] {"", "directory with the command signing keys *.key.pem (HealJob)"}),
            Map.entry("kem.keys.dir", new String[] {"", "directory of agents' ML-KEM-768 keys <nodeId>.ml-kem-768.pub.pem; commands to those nodes are encrypted"}),
            Map.entry("detect.settings", new String[] {"", "DetectJob: detector settings by name, e.g. alarmScore=0.4,noveltyWeight=0 (see DetectorSettings; default: the NAB-measured defaults)"}),
            Map.entry("detect.node-model", new String[] {"false", "DetectJob: also score each node with a DJL autoencoder over its series (needs DJL on the class path, lib/ on a cluster)"}),
            Map.entry("diagnose.dependencies", new String[] {"", "what nodes call or run on, e.g. web-1->db-1,web-2->db-1 (control records dependency/<caller> replace a caller's)"}),
            Map.entry("playbook", new String[] {"", "playbook YAML file; empty = the built-in playbook (HealJob)"}),
            Map.entry("checkpoint.interval.ms", new String[] {"2000", "checkpoint interval; commands are committed on checkpoints"}),
            Map.entry("parallelism", new String[] {"1", "default operator parallelism"}),
            Map.entry("watermark.disorder.ms", new String[] {"2000", "how late a node's sample may arrive and still count"}),
            Map.entry("watermark.idle.ms", new String[] {"5000", "after this long without records a partition stops holding back time"}),
            Map.entry("watermark.max-ahead.ms", new String[] {"300000", "a record stamped further ahead of this machine's clock (a node's broken clock) does not move event time"}),
            Map.entry("command.ttl.ms", new String[] {"60000", "how long a command stays valid after it is issued"}),
            Map.entry("cooldown.ms", new String[] {"30000", "minimum time between two identical actions on one node"}),
            Map.entry("verify.window.ms", new String[] {"20000", "how long an incident may stay open after an action before the next is tried"}),
            Map.entry("blast.radius.max.nodes", new String[] {"5", "at most this many nodes of one role (or of the fleet, for nodes without a role) under remediation at once"}),
            Map.entry("blast.radius.max.percent", new String[] {"20", "at most this percentage of a role's nodes (sized from x0.inventory.v1) under remediation at once; one node always may"}),
            Map.entry("heal.mode", new String[] {"auto", "auto or suggest (propose only), until the control topic sets a policy"}),
            Map.entry("heal.dry-run", new String[] {"false", "issue every command as a dry run, until the control topic sets a policy"}),
            Map.entry("control.keys.dir", new String[] {"", "directory with the root public keys control records must be signed with; empty = trust the topic's ACLs"})));

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = values;
    }

    public static JobConfig defaults() {
        return parse(new String[0], Map.of());
    }

    public static JobConfig fromArgs(String[] args) {
        return parse(args, System.getenv());
    }

    static JobConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new TreeMap<>();
        SETTINGS.forEach((k, v) -> values.put(k, v[0]));
        Map<String, String> fromArgs = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value, got '" + arg + "' (see --help)");
            }
            fromArgs.put(arg.substring(2), args[++i]);
        }
        String file = fromArgs.remove("config");
        if (file != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                props.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
            props.forEach((k, v) -> put(values, k.toString(), v.toString(), "config file " + file));
        }
        for (String key : SETTINGS.keySet()) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                values.put(key, fromEnv);
            }
        }
        fromArgs.forEach((k, v) -> put(values, k, v, "arguments"));
        return new JobConfig(values);
    }

    public static String envName(String key) {
        return "X0_" + key.toUpperCase().replace('.', '_');
    }

    private static void put(Map<String, String> values, String key, String value, String where) {
        if (!SETTINGS.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting '" + key + "' in " + where + "; known: " + SETTINGS.keySet());
        }
        values.put(key, value);
    }

    public JobConfig with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        put(copy, key, value, "code");
        return new JobConfig(copy);
    }

    public String get(String key) {
        if (!SETTINGS.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting " + key);
        }
        return values.get(key);
    }

    public long getLong(String key) {
        try {
            return Long.parseLong(get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be a whole number, not '" + get(key) + "'");
        }
    }

    public double getDouble(String key) {
        try {
            return Double.parseDouble(get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be a number, not '" + get(key) + "'");
        }
    }

    public Duration getMillis(String key) {
        return Duration.ofMillis(getLong(key));
    }

    public KafkaSettings kafka() {
        return new KafkaSettings(get("kafka.bootstrap"), get("topic.prefix"));
    }

    public ElasticsearchSettings elasticsearch() {
        return ElasticsearchSettings.builder(get("es.url")).indexPrefix(get("es.index.prefix")).build();
    }

    public String groupId(String job) {
        return get("group.prefix") + job;
    }

    /** Usage text for a job's {@code --help}. */
    public static String usage(String job, String what) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: flink run ").append(job).append(".jar [--config FILE] [--key value ...]\n\n").append(what).append("\n\nSettings (env var, default):\n");
        SETTINGS.forEach((k, v) -> sb.append(String.format("  --%-24s %s (%s, default '%s')%n", k, v[1], envName(k), v[0])));
        return sb.toString();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
