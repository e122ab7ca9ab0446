package io.x0tta6bl4.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The catalogue of Avro contracts and their released versions.
 *
 * <p>Every released version is kept in the jar under {@code x0/schemas/released/vN/}, so that decoders can
 * still read records written by producers that run an older release (Avro schema resolution), and so that
 * the build can prove each current schema reads what the previous release wrote.
 */
public final class Contracts {

    /** Schema files in dependency order: a file only names types defined by files before it. */
    public static final List<String> FILES = List.of(
            "MetricKind", "MetricSample", "TelemetryBatch",
            "Evidence", "Anomaly", "RootCause", "Incident",
            "CommandParameter", "CommandBody", "CommandSignature", "SignedCommand",
            "CommandResult", "ControlRecord", "DeadLetter", "Decision", "NodeInfo");

    /** Released versions, oldest first. Add "v2" here (and its folder) when a release changes a schema. */
    public static final List<String> RELEASED_VERSIONS = List.of("v1");

    private Contracts() {}

    /** Parses the schemas of one released version, by full name. */
    public static Map<String, Schema> released(String version) {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new LinkedHashMap<>();
        for (String file : FILES) {
            String resource = "/x0/schemas/released/" + version + "/" + file + ".avsc";
            try (InputStream in = Contracts.class.getResourceAsStream(resource)) {
                if (in == null) {
                    continue; // the file did not exist in that release
                }
                Schema schema = parser.parse(in);
                byName.put(schema.getFullName(), schema);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read released schema " + resource, e);
            }
        }
        return byName;
    }
}
