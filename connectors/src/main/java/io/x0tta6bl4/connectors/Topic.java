package io.x0tta6bl4.connectors;

import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.NodeInfo;
import io.x0tta6bl4.schema.SignedCommand;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The topic catalogue of DESIGN.md: name, record type, and how the topic is created.
 *
 * <p>Names can be prefixed (e.g. per test or per environment) with {@link #name(String)}.
 */
public enum Topic {
    TELEMETRY("x0.telemetry.v1", TelemetryBatch.class, 6, Duration.ofDays(3), false),
    ANOMALIES("x0.anomalies.v1", Anomaly.class, 3, Duration.ofDays(14), false),
    INCIDENTS("x0.incidents.v1", Incident.class, 3, Duration.ofDays(30), false),
    COMMANDS("x0.commands.v1", SignedCommand.class, 3, Duration.ofDays(7), false),
    RESULTS("x0.results.v1", CommandResult.class, 3, Duration.ofDays(30), false),
    CONTROL("x0.control.v1", ControlRecord.class, 1, null, true),
    DEADLETTER("x0.deadletter.v1", DeadLetter.class, 1, Duration.ofDays(30), false),
    DECISIONS("x0.decisions.v1", Decision.class, 3, Duration.ofDays(30), false),
    INVENTORY("x0.inventory.v1", NodeInfo.class, 1, null, true);

    private final String baseName;
    private final Class<? extends SpecificRecord> recordType;
    private final int partitions;
    private final Duration retention;
    private final boolean compacted;

    Topic(String baseName, Class<? extends SpecificRecord> recordType, int partitions, Duration retention, boolean compacted) {
        this.baseName = baseName;
        this.recordType = recordType;
        this.partitions = partitions;
        this.retention = retention;
        this.compacted = compacted;
    }

    public String baseName() {
        return baseName;
    }

    /** The topic's name under a prefix ("" for none); the prefix keeps environments and tests apart. */
    public String name(String prefix) {
        return prefix == null || prefix.isEmpty() ? baseName : prefix + baseName;
    }

    public Class<? extends SpecificRecord> recordType() {
        return recordType;
    }

    public int partitions() {
        return partitions;
    }

    /** Kafka topic configs this topic is created with. */
    public Map<String, String> configs() {
        if (compacted) {
            return Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0");
        }
        return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()));
    }

    /** Short name of the record kind, used for index names: "telemetry", "anomalies", ... */
    public String kind() {
        return baseName.substring(3, baseName.lastIndexOf('.'));
    }
}
