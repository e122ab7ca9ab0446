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
