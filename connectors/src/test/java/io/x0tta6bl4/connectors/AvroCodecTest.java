package io.x0tta6bl4.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
    private final AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class);

    static TelemetryBatch batch() {
        return TelemetryBatch.newBuilder()
                .setNodeId("node-1").setTimestampMs(1_700_000_000_000L).setSequence(7)
                .setNodeLabels(Map.of("role", "web"))
                .setSamples(List.of(new MetricSample("cpu_usage_ratio", Map.of(), 0.25, MetricKind.GAUGE)))
                .build();
    }

    @Test
    void roundTrips() throws Exception {
        assertThat(codec.decode(codec.encode(batch()))).isEqualTo(batch());
    }

    @Test
    void decodingIntoAReusedRecordLeavesNothingOfThePreviousOne() throws Exception {
        TelemetryBatch first = TelemetryBatch.newBuilder(batch()).setNodeLabels(Map.of("role", "db", "zone", "a"))
                .setSamples(List.of(new MetricSample("a", Map.of("device", "vda"), 1.0, MetricKind.GAUGE),
                        new MetricSample("b", Map.of(), 2.0, MetricKind.COUNTER)))
                .build();
        TelemetryBatch reused = codec.decode(codec.encode(first), null);
        TelemetryBatch second = codec.decode(codec.encode(batch()), reused);
        assertThat(second).isEqualTo(batch());
    }

    @Test
    void recordWrittenWithAnOlderReleasedSchemaStillDecodes() throws Exception {
        // Incident v1 had no attributedTo: the general (resolving) path reads it and fills the new field's default.
        Schema v1 = io.x0tta6bl4.schema.Contracts.released("v1").get(io.x0tta6bl4.schema.Incident.getClassSchema().getFullName());
        assertThat(v1.getField("attributedTo")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field f : v1.getFields()) {
            old.put(f.name(), GenericData.get().deepCopy(f.schema(), f.hasDefaultValue() ? GenericData.get().getDefaultValue(f) : null));
        }
        old.put("incidentId", "db-1-8");
        old.put("status", new GenericData.EnumSymbol(v1.getField("status").schema(), "OPEN"));
        old.put("revision", 1);
        old.put("openedAtMs", 8L);
        old.put("updatedAtMs", 9L);
        old.put("severity", 0.9);
        old.put("nodes", List.of("db-1"));
        old.put("metrics", List.of("disk_io_latency_seconds"));
        old.put("rootCauses", List.of());
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();
        io.x0tta6bl4.schema.Incident decoded = AvroCodec.of(io.x0tta6bl4.schema.Incident.class).decode(bytes);
        assertThat(decoded.getIncidentId()).isEqualTo("db-1-8");
        assertThat(decoded.getAttributedTo()).isNull();
    }

    @Test
    void randomBytesAreRecognisedAsNotAvro() {
        byte[] junk = new byte[64];
        new Random(1).nextBytes(junk);
        assertThatThrownBy(() -> codec.decode(junk)).isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("not an Avro single-object record");
    }

    @Test
    void truncatedRecordIsCorrupt() {
        byte[] full = codec.encode(batch());
        byte[] truncated = Arrays.copyOf(full, full.length - 10);
        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("corrupt or truncated");
    }

    @Test
    void recordOfAnUnknownSchemaIsRefusedByFingerprint() throws Exception {
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        GenericRecord record = new GenericData.Record(other);
        record.put("x", 1);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), other).encode(record).array();
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("unknown schema");
    }

    @Test
    void nullValueIsRefused() {
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(UndecodableRecordException.class);
    }

    @Test
    void topicKindsNameIndexes() {
        assertThat(Topic.TELEMETRY.kind()).isEqualTo("telemetry");
        assertThat(Topic.DEADLETTER.kind()).isEqualTo("deadletter");
        assertThat(Topic.CONTROL.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(Topic.COMMANDS.name("test-")).isEqualTo("test-x0.commands.v1");
    }
}
