package io.x0tta6bl4.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every current schema must read what every released version wrote (backward compatibility). */
class SchemaCompatibilityTest {

    static Stream<Arguments> releasedSchemas() {
        return Contracts.RELEASED_VERSIONS.stream().flatMap(version ->
                Contracts.released(version).values().stream().map(old -> Arguments.of(version, old)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("releasedSchemas")
    void currentSchemaReadsReleasedData(String version, Schema released) throws Exception {
        Class<?> generated = Class.forName(released.getFullName());
        Schema current = SpecificData.get().getSchema(generated);
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        assertThat(result.getType())
                .as("%s %s: %s", version, released.getName(), result.getDescription())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void everyTopicRecordHasAReleasedVersion() {
        Map<String, Schema> latest = Contracts.released(Contracts.RELEASED_VERSIONS.get(Contracts.RELEASED_VERSIONS.size() - 1));
        for (Class<?> topicRecord : new Class<?>[] {TelemetryBatch.class, Anomaly.class, Incident.class, SignedCommand.class,
                CommandResult.class, ControlRecord.class, DeadLetter.class, Decision.class}) {
            assertThat(latest).containsKey(topicRecord.getName());
        }
    }

    @Test
    void anIncompatibleChangeIsDetected() {
        // Guard the guard: a new required field without default cannot read old data.
        Schema old = Contracts.released("v1").get(CommandResult.class.getName());
        Schema broken = new Schema.Parser().parse(old.toString().replace("\"fields\":[",
                "\"fields\":[{\"name\":\"mandatory\",\"type\":\"string\"},"));
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, old).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE);
    }
}
