package io.x0tta6bl4.connectors.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RawRecordSerializerTest {
    private final TypeSerializer<RawRecord> serializer = TypeInformation.of(RawRecord.class).createSerializer(new SerializerConfigImpl());

    private RawRecord roundTrip(RawRecord record) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(record, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        RawRecord copy = serializer.deserialize(in);
        assertThat(in.available()).as("everything written is read back").isZero();
        return copy;
    }

    @Test
    void flinkPicksThisSerializerForRawRecord() {
        assertThat(TypeInformation.of(RawRecord.class)).isInstanceOf(RawRecordTypeInfo.class);
        assertThat(serializer).isSameAs(RawRecordSerializer.INSTANCE);
    }

    @Test
    void everyRecordRoundTripsIncludingMissingTopicKeyAndValue() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            byte[] key = random.nextInt(4) == 0 ? null : new byte[random.nextInt(20)];
            byte[] value = random.nextInt(4) == 0 ? null : new byte[random.nextInt(2_000)];
            if (key != null) {
                random.nextBytes(key);
            }
            if (value != null) {
                random.nextBytes(value);
            }
            String topic = random.nextInt(4) == 0 ? null : "x0.telemetry.v" + random.nextInt(3) + "-ü";
            RawRecord record = new RawRecord(topic, random.nextInt(), random.nextLong(), random.nextLong(), key, value);
            assertThat(roundTrip(record)).usingRecursiveComparison().isEqualTo(record);
        }
    }

    @Test
    void copiesAreIndependentOfTheOriginal() {
        RawRecord record = new RawRecord("t", 1, 2, 3, new byte[] {1}, new byte[] {2, 3});
        RawRecord copy = serializer.copy(record);
        record.value[0] = 9;
        record.key[0] = 9;
        assertThat(copy.value).containsExactly(2, 3);
        assertThat(copy.key).containsExactly(1);
    }

    @Test
    void itsSnapshotRestoresACompatibleSerializer() throws Exception {
        TypeSerializerSnapshot<RawRecord> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<RawRecord> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isSameAs(RawRecordSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<RawRecord> compatibility = RawRecordSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
