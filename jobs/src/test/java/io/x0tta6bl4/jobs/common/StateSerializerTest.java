package io.x0tta6bl4.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.connectors.elasticsearch.IndexDocument;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.detect.DetectorSettings;
import io.x0tta6bl4.jobs.detect.SeriesDetector;
import io.x0tta6bl4.jobs.detect.SeriesState;
import io.x0tta6bl4.jobs.diagnose.AnomalyEntry;
import io.x0tta6bl4.jobs.diagnose.IncidentHeader;
import io.x0tta6bl4.jobs.heal.ActionStats;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyPhase;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type kept in state or sent between operators gets a real Flink serializer (POJO, Avro or our own, never the
 * Kryo fallback, whose format cannot evolve), and survives a serialize/deserialize round trip.
 */
class StateSerializerTest {

    static io.x0tta6bl4.jobs.detect.node.NodeModelState nodeModel() {
        var m = new io.x0tta6bl4.jobs.detect.node.NodeModelState();
        m.inputs = new String[] {"cpu_usage_ratio", "load1", null};
        m.parameters = new byte[] {1, 2, 3};
        m.vectors = 42;
        m.error.metric = "node_model_reconstruction_error";
        m.error.lastRaw = 0; // NaN never equals itself in the comparison
        return m;
    }

    static io.x0tta6bl4.jobs.detect.TrackNodeInventory.Seen seen() {
        var s = new io.x0tta6bl4.jobs.detect.TrackNodeInventory.Seen();
        s.labels = "role=db";
        s.firstSeenMs = 1;
        s.lastSeenMs = 2;
        s.lastPublishedMs = 2;
        return s;
    }

    static io.x0tta6bl4.jobs.detect.NodeSeries nodeSeries(SeriesState series) {
        var node = new io.x0tta6bl4.jobs.detect.NodeSeries();
        SeriesState disk = new SeriesState();
        disk.metric = "disk_io_latency_seconds";
        disk.labels = "device=sda";
        disk.lastRaw = 0;
        node.series = new SeriesState[] {series, disk};
        node.nodeLabels = "role=db";
        node.seenReportedMs = 5;
        node.lastBatchMs = 9_000;
        node.batchIntervalMs = 1_000.5;
        node.batchGaps = 8;
        node.silentSinceMs = 9_000;
        node.heardAtWatermarkMs = 8_000;
        return node;
    }

    static Stream<Arguments> types() {
        SeriesState series = new SeriesState();
        SeriesDetector detector = new SeriesDetector(DetectorSettings.defaults());
        for (int i = 1; i <= 800; i++) {
            detector.update(series, i * 900_000L, i % 7, false); // quarter-hourly for 8 days: every seasonal slot filled (no NaN)
        }
        series.lastRaw = 7.5;
        series.inEpisode = true;
        series.metric = "cpu_usage_ratio";
        IncidentHeader header = new IncidentHeader();
        header.incidentId = "n1-1";
        header.revision = 3;
        header.topCause = "n1|cpu";
        ActionStats stats = new ActionStats();
        stats.successes = 5;
        stats.failures = 1;
        return Stream.of(
                Arguments.of(SeriesState.class, series),
                Arguments.of(io.x0tta6bl4.jobs.detect.NodeSeries.class, nodeSeries(series)),
                Arguments.of(IncidentHeader.class, header),
                Arguments.of(io.x0tta6bl4.jobs.detect.TrackNodeInventory.Seen.class, seen()),
                Arguments.of(io.x0tta6bl4.jobs.detect.node.NodeModelState.class, nodeModel()),
                Arguments.of(io.x0tta6bl4.jobs.detect.NodeSeen.class, new io.x0tta6bl4.jobs.detect.NodeSeen("n1", "role=db", 5)),
                Arguments.of(io.x0tta6bl4.schema.NodeInfo.class, io.x0tta6bl4.schema.NodeInfo.newBuilder().setNodeId("n1")
                        .setLabels(Map.of("role", "db")).setFirstSeenMs(1).setLastSeenMs(2).build()),
                Arguments.of(io.x0tta6bl4.schema.Incident.class, io.x0tta6bl4.schema.Incident.newBuilder().setIncidentId("db-1-8")
                        .setStatus(io.x0tta6bl4.schema.IncidentStatus.RESOLVED).setRevision(2).setOpenedAtMs(8).setUpdatedAtMs(9).setSeverity(0.9)
                        .setNodes(List.of("db-1")).setMetrics(List.of("disk_io_latency_seconds")).setLabels(Map.of("role", "db"))
                        .setResolution(io.x0tta6bl4.schema.IncidentResolution.WENT_SILENT).setRootCauses(List.of(io.x0tta6bl4.schema.RootCause.newBuilder().setNodeId("db-1").setMetric("disk_io_latency_seconds")
                                .setKind("disk_latency").setScore(0.8).build())).build()),
                Arguments.of(AnomalyEntry.class, endedSilent(new AnomalyEntry("a", "n1", "cpu", 1, 0.5, 2, 1))),
                Arguments.of(ActionStats.class, stats),
                Arguments.of(RawRecord.class, new RawRecord("t", 1, 2, 3, new byte[] {1}, new byte[] {2, 3})),
                Arguments.of(IndexDocument.class, new IndexDocument("i", "id", "{}")),
                Arguments.of(io.x0tta6bl4.jobs.heal.PlannedCommand.class, new io.x0tta6bl4.jobs.heal.PlannedCommand(
                        io.x0tta6bl4.schema.CommandBody.newBuilder().setCommandId("c").setIncidentId("i").setTargetNodeId("n")
                                .setAction("a").setParameters(java.util.List.of()).setIssuedAtMs(1).setExpiresAtMs(2).setNonce("x")
                                .setPolicyVersion("1").build(), "role=db")),
                Arguments.of(Anomaly.class, Anomaly.newBuilder().setAnomalyId("a").setNodeId("n").setMetric("m").setLabels(Map.of())
                        .setPhase(AnomalyPhase.STARTED).setStartMs(1).setPeakMs(1).setScore(0.5).setObserved(1).setExpected(0).build()));
    }

    private static AnomalyEntry endedSilent(AnomalyEntry entry) {
        entry.ended = true;
        entry.endedWithoutRecovery = true;
        return entry;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    <T> void hasAnEvolvableSerializerThatRoundTrips(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).isInstanceOfAny(PojoTypeInfo.class, AvroTypeInfo.class, io.x0tta6bl4.connectors.flink.RawRecordTypeInfo.class);
        TypeSerializer<T> serializer = info.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        // Exact, NaN included (a series' unvisited seasonal slots are NaN): AssertJ's default float comparison has a
        // tolerance and finds NaN unequal to itself.
        assertThat(copy).usingRecursiveComparison()
                .withComparatorForType(Float::compare, Float.class)
                .withComparatorForType(Double::compare, Double.class)
                .isEqualTo(value);
    }
}
