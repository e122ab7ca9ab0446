package io.x0tta6bl4.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class TelemetryDecoderTest {
    private static final AvroCodec<TelemetryBatch> CODEC = AvroCodec.of(TelemetryBatch.class);
    private static final String[] WORDS = {"cpu_usage_ratio", "disk_io_latency_seconds", "device", "sda", "", "zone", "ünïcødé-ノード", "role", "db"};

    private static String word(Random r) {
        return r.nextInt(10) == 0 ? Long.toString(r.nextLong(), 36) : WORDS[r.nextInt(WORDS.length)];
    }

    private static TelemetryBatch randomBatch(Random r) {
        List<MetricSample> samples = new ArrayList<>();
        int n = r.nextInt(5) == 0 ? r.nextInt(200) : r.nextInt(15);
        for (int i = 0; i < n; i++) {
            Map<String, String> labels = new HashMap<>();
            for (int k = r.nextInt(4); k > 0; k--) {
                labels.put(word(r), word(r));
            }
            double value = switch (r.nextInt(8)) {
                case 0 -> Double.NaN;
                case 1 -> Double.NEGATIVE_INFINITY;
                case 2 -> -0.0;
                default -> r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
            };
            samples.add(MetricSample.newBuilder().setName(word(r)).setLabels(labels).setValue(value)
                    .setKind(MetricKind.values()[r.nextInt(MetricKind.values().length)]).build());
        }
        Map<String, String> nodeLabels = new HashMap<>();
        for (int k = r.nextInt(3); k > 0; k--) {
            nodeLabels.put(word(r), word(r));
        }
        return TelemetryBatch.newBuilder().setNodeId(word(r)).setTimestampMs(r.nextLong()).setSequence(r.nextInt(3) == 0 ? -r.nextInt(1000) : r.nextLong())
                .setNodeLabels(nodeLabels).setSamples(samples).build();
    }

    @Test
    void readsTheCurrentSchemaDirectlySoASchemaChangeIsNoticedHere() {
        assertThat(new TelemetryDecoder().readsCurrentSchemaDirectly())
                .as("TelemetryBatch.avsc changed: bring TelemetryDecoder's reader and IMPLEMENTED_FINGERPRINT up to date")
                .isTrue();
    }

    @Test
    void everyBatchDecodesAsAvroDecodesItWithAndWithoutReuse() throws Exception {
        Random r = new Random(11);
        TelemetryDecoder decoder = new TelemetryDecoder();
        TelemetryBatch reused = null;
        for (int i = 0; i < 3_000; i++) {
            TelemetryBatch original = randomBatch(r);
            byte[] bytes = CODEC.encode(original);
            TelemetryBatch expected = CODEC.decode(bytes);
            assertThat(expected).isEqualTo(original); // the oracle itself round-trips
            reused = decoder.decode(bytes, reused);
            assertThat(reused).as("batch %d, reused", i).isEqualTo(original);
            TelemetryBatch fresh = decoder.decode(bytes, null);
            assertThat(fresh).as("batch %d, new", i).isEqualTo(original);
        }
    }

    /**
     * A fleet's batches: one node's layout batch after batch, now and then a label value, a name or the number of
     * samples changed, and corrupt records in between. With reuse, samples whose name and labels are encoded as last
     * time keep what they had; every batch must still decode exactly as Avro decodes it.
     */
    @Test
    void batchesThatRepeatTheLastOnesLayoutDecodeAsAvroDecodesThemAndCorruptOnesLeaveNothingBehind() throws Exception {
        Random r = new Random(23);
        TelemetryDecoder decoder = new TelemetryDecoder();
        TelemetryBatch template = randomBatch(r);
        TelemetryBatch reused = null;
        int failures = 0;
        for (int i = 0; i < 5_000; i++) {
            List<MetricSample> samples = new ArrayList<>();
            for (MetricSample s : template.getSamples()) {
                MetricSample copy = MetricSample.newBuilder(s).setLabels(new HashMap<>(s.getLabels())).setValue(r.nextGaussian()).build();
                switch (r.nextInt(40)) {
                    case 0 -> copy.getLabels().put(word(r), word(r));
                    case 1 -> copy.setName(word(r));
                    case 2 -> copy.getLabels().clear();
                    default -> { } // as last time: the common case
                }
                samples.add(copy);
            }
            if (r.nextInt(30) == 0 && !samples.isEmpty()) {
                samples.remove(r.nextInt(samples.size())); // a series vanished: the rest shift by one
            }
            if (r.nextInt(200) == 0) {
                template = randomBatch(r);
            }
            TelemetryBatch original = TelemetryBatch.newBuilder(template).setSamples(samples).build();
            byte[] bytes = CODEC.encode(original);
            if (r.nextInt(10) == 0) { // a truncated record half-way through some sample's name or labels
                try {
                    reused = decoder.decode(java.util.Arrays.copyOf(bytes, AvroCodec.HEADER_LENGTH + r.nextInt(bytes.length - AvroCodec.HEADER_LENGTH)), reused);
                } catch (UndecodableRecordException expected) {
                    failures++;
                }
            }
            reused = decoder.decode(bytes, reused);
            assertThat(reused).as("batch %d", i).isEqualTo(original);
            template = original;
        }
        assertThat(failures).as("truncations were tried").isGreaterThan(100);
    }

    @Test
    void aBatchDecodedWithoutReuseIsNotChangedByLaterCalls() throws Exception {
        Random r = new Random(5);
        TelemetryDecoder decoder = new TelemetryDecoder();
        TelemetryBatch first = randomBatch(r);
        while (first.getSamples().isEmpty()) {
            first = randomBatch(r);
        }
        TelemetryBatch kept = decoder.decode(CODEC.encode(first), null);
        TelemetryBatch reused = null;
        for (int i = 0; i < 20; i++) {
            reused = decoder.decode(CODEC.encode(randomBatch(r)), reused);
        }
        assertThat(kept).isEqualTo(first);
    }

    @Test
    void repeatedStringsAreTheSameInstancesBatchAfterBatch() throws Exception {
        TelemetryDecoder decoder = new TelemetryDecoder();
        TelemetryBatch batch = TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(1).setSequence(1).setNodeLabels(Map.of("role", "db"))
                .setSamples(List.of(MetricSample.newBuilder().setName("disk_io_latency_seconds").setLabels(Map.of("device", "sda")).setValue(1)
                        .setKind(MetricKind.GAUGE).build())).build();
        TelemetryBatch a = decoder.decode(CODEC.encode(batch), null);
        TelemetryBatch b = decoder.decode(CODEC.encode(batch), null);
        assertThat(b.getNodeId()).isSameAs(a.getNodeId());
        assertThat(b.getSamples().get(0).getName()).isSameAs(a.getSamples().get(0).getName());
        assertThat(b.getSamples().get(0).getLabels().get("device")).isSameAs(a.getSamples().get(0).getLabels().get("device"));
    }

    @Test
    void nodeLabelsOfReusedBatchesAreOneReadOnlyMapPerEncoding() throws Exception {
        TelemetryDecoder decoder = new TelemetryDecoder();
        TelemetryBatch.Builder batch = TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(1).setSequence(1).setSamples(List.of());
        TelemetryBatch reused = decoder.decode(CODEC.encode(batch.setNodeLabels(Map.of("role", "db")).build()), null);
        reused = decoder.decode(CODEC.encode(batch.build()), reused);
        Map<String, String> db = reused.getNodeLabels();
        reused = decoder.decode(CODEC.encode(batch.setNodeId("n2").build()), reused); // another node, the same labels
        assertThat(reused.getNodeLabels()).isSameAs(db);
        reused = decoder.decode(CODEC.encode(batch.setNodeLabels(Map.of("role", "web")).build()), reused);
        assertThat(reused.getNodeLabels()).isNotSameAs(db).containsExactly(Map.entry("role", "web"));
        assertThat(db).containsExactly(Map.entry("role", "db")); // not overwritten by the next batch
        assertThatThrownBy(() -> db.put("role", "web")).isInstanceOf(UnsupportedOperationException.class);
        reused = decoder.decode(CODEC.encode(batch.setNodeLabels(Map.of("role", "db")).build()), reused);
        assertThat(reused.getNodeLabels()).isSameAs(db);
    }

    @Test
    void sampleLabelsOfReusedBatchesAreOneReadOnlyMapPerEncodingThatNeverChanges() throws Exception {
        TelemetryDecoder decoder = new TelemetryDecoder();
        TelemetryBatch.Builder batch = TelemetryBatch.newBuilder().setNodeId("n1").setTimestampMs(1).setSequence(1).setNodeLabels(Map.of());
        MetricSample.Builder sample = MetricSample.newBuilder().setName("disk_io_latency_seconds").setValue(1).setKind(MetricKind.GAUGE);
        TelemetryBatch reused = decoder.decode(CODEC.encode(batch.setSamples(List.of(sample.setLabels(Map.of("device", "sda")).build())).build()), null);
        reused = decoder.decode(CODEC.encode(batch.build()), reused);
        Map<String, String> sda = reused.getSamples().get(0).getLabels();

        // The same labels at another position, after another node's batch: the same map.
        MetricSample sdb = MetricSample.newBuilder(sample.build()).setLabels(Map.of("device", "sdb")).build();
        reused = decoder.decode(CODEC.encode(batch.setNodeId("n2").setSamples(List.of(sdb, sample.build())).build()), reused);
        assertThat(reused.getSamples().get(1).getLabels()).isSameAs(sda);
        Map<String, String> sdbLabels = reused.getSamples().get(0).getLabels();
        assertThat(sdbLabels).isNotSameAs(sda).containsExactly(Map.entry("device", "sdb"));

        // The pooled sample that held sda's map now holds sdb's: sda's map itself is unchanged, and read-only.
        assertThat(sda).containsExactly(Map.entry("device", "sda"));
        assertThatThrownBy(() -> sda.put("device", "sdc")).isInstanceOf(UnsupportedOperationException.class);
        reused = decoder.decode(CODEC.encode(batch.setSamples(List.of(sample.build())).build()), reused);
        assertThat(reused.getSamples().get(0).getLabels()).isSameAs(sda);
    }

    @Test
    void theStringTableStaysBoundedUnderEverNewStrings() {
        TelemetryDecoder.StringTable table = new TelemetryDecoder.StringTable();
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = ("pod-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(table.get(bytes, 0, bytes.length)).isEqualTo("pod-" + i);
        }
        byte[] again = "pod-99999".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(table.get(again, 0, again.length)).isEqualTo("pod-99999");
    }

    @Test
    void stringsAlikeInLengthAndBothEndsShareAHashButStayApart() {
        // The hash reads only the length and the first and last eight bytes: these 200 names all hash alike.
        TelemetryDecoder.StringTable table = new TelemetryDecoder.StringTable();
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            names.add(String.format("cpu_sec_%03d_seconds", i));
        }
        byte[] first = names.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] last = names.get(199).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(TelemetryDecoder.BytesTable.hash(first, 0, first.length)).isEqualTo(TelemetryDecoder.BytesTable.hash(last, 0, last.length));
        for (int round = 0; round < 2; round++) {
            for (String name : names) {
                byte[] framed = ("xx" + name + "yy").getBytes(java.nio.charset.StandardCharsets.UTF_8); // at an offset, as in a record
                assertThat(table.get(framed, 2, framed.length - 4)).isEqualTo(name);
            }
        }
    }

    @Test
    void everyTruncationAndCorruptionIsAClearErrorNeverAnotherException() throws Exception {
        Random r = new Random(3);
        TelemetryDecoder decoder = new TelemetryDecoder();
        for (int i = 0; i < 200; i++) {
            byte[] bytes = CODEC.encode(randomBatch(r));
            for (int cut = AvroCodec.HEADER_LENGTH; cut < bytes.length; cut++) {
                byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
                try {
                    decoder.decode(truncated, null); // a prefix may happen to be a valid shorter batch
                } catch (UndecodableRecordException expected) {
                    assertThat(expected.getMessage()).contains("TelemetryBatch");
                }
            }
            byte[] corrupt = bytes.clone();
            for (int k = 0; k < 3; k++) {
                int at = AvroCodec.HEADER_LENGTH + r.nextInt(bytes.length - AvroCodec.HEADER_LENGTH);
                corrupt[at] = (byte) r.nextInt(256);
            }
            try {
                decoder.decode(corrupt, null);
            } catch (UndecodableRecordException expected) {
                assertThat(expected.getMessage()).contains("TelemetryBatch");
            }
        }
        byte[] header = java.util.Arrays.copyOf(CODEC.encode(randomBatch(r)), AvroCodec.HEADER_LENGTH);
        byte[] hugeString = java.util.Arrays.copyOf(header, header.length + 5);
        System.arraycopy(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, 0, hugeString, header.length, 5);
        assertThatThrownBy(() -> decoder.decode(hugeString, null)).isInstanceOf(UndecodableRecordException.class).hasMessageContaining("string length");
        byte[] badKind = CODEC.encode(TelemetryBatch.newBuilder().setNodeId("n").setTimestampMs(1).setSequence(1).setSamples(List.of(
                MetricSample.newBuilder().setName("m").setValue(1).setKind(MetricKind.GAUGE).build())).build());
        badKind[badKind.length - 2] = 40; // the enum index (zig-zag 20), just before the array's end marker
        assertThatThrownBy(() -> decoder.decode(badKind, null)).isInstanceOf(UndecodableRecordException.class).hasMessageContaining("metric kind 20");
        assertThatThrownBy(() -> decoder.decode(new byte[] {1, 2, 3}, null)).isInstanceOf(UndecodableRecordException.class);
        assertThatThrownBy(() -> decoder.decode(null, null)).isInstanceOf(UndecodableRecordException.class);
    }

    @Test
    void aRecordOfAnotherSchemaIsLeftToAvroWhichRefusesAnUnknownOne() throws Exception {
        // The released v1 TelemetryBatch is today's (same fingerprint); a writer with one more field is unknown.
        Schema current = TelemetryBatch.getClassSchema();
        String json = current.toString().replaceFirst("\\{\"name\":\"nodeId\"", "{\"name\":\"extra\",\"type\":\"int\"},{\"name\":\"nodeId\"");
        Schema other = new Schema.Parser().parse(json);
        assertThat(other.getFields()).hasSize(current.getFields().size() + 1);
        GenericRecord record = new GenericData.Record(other);
        record.put("extra", 7);
        record.put("nodeId", "n1");
        record.put("timestampMs", 5L);
        record.put("sequence", 6L);
        record.put("nodeLabels", Map.of());
        record.put("samples", List.of());
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), other).encode(record).array();
        assertThat(CODEC.writtenWithCurrentSchema(bytes)).isFalse();
        assertThatThrownBy(() -> new TelemetryDecoder().decode(bytes, null)).isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("unknown schema");
    }
}
