package io.x0tta6bl4.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.connectors.Topic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** The Kibana saved objects shipped in infra/kibana fit the indexes IndexJob writes (Kibana itself cannot run here). */
class SavedObjectsTest {
    static final Path FILE = Path.of("../kibana/x0tta6bl4-saved-objects.ndjson");

    @Test
    void everyIndexHasADataViewEveryReferenceResolvesAndEveryColumnExists() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> objects = new ArrayList<>();
        for (String line : Files.readAllLines(FILE)) {
            objects.add(json.readTree(line));
        }
        Map<String, JsonNode> views = new HashMap<>();
        for (JsonNode o : objects) {
            assertThat(o.has("type") && o.has("id") && o.has("attributes")).as(o.toString()).isTrue();
            if (o.get("type").asText().equals("index-pattern")) {
                views.put(o.get("id").asText(), o);
                assertThat(o.at("/attributes/timeFieldName").asText()).isEqualTo("@timestamp");
            }
        }
        for (Topic topic : Topic.values()) {
            assertThat(views).as("data view for " + topic.kind()).containsKey("x0-" + topic.kind());
        }
        for (JsonNode o : objects) {
            if (!o.get("type").asText().equals("search")) {
                continue;
            }
            String view = o.at("/references/0/id").asText();
            assertThat(views).as(o.get("id").asText() + " references a data view of this file").containsKey(view);
            Topic topic = topicOf(view);
            Schema schema = SpecificData.get().getSchema(topic.recordType());
            for (JsonNode column : o.at("/attributes/columns")) {
                assertThat(hasField(schema, column.asText())).as(column.asText() + " in " + topic.recordType().getSimpleName()).isTrue();
            }
            String source = o.at("/attributes/kibanaSavedObjectMeta/searchSourceJSON").asText();
            assertThat(json.readTree(source).at("/query/language").asText()).isEqualTo("kuery");
        }
    }

    static Topic topicOf(String view) {
        for (Topic t : Topic.values()) {
            if (view.equals("x0-" + t.kind())) {
                return t;
            }
        }
        throw new AssertionError("no topic for " + view);
    }

    /** Dotted paths through records, arrays and unions, as Elasticsearch flattens them. */
    static boolean hasField(Schema schema, String path) {
        Schema s = schema;
        for (String part : path.split("\\.")) {
            s = unwrap(s);
            if (s.getType() != Schema.Type.RECORD || s.getField(part) == null) {
                return false;
            }
            s = s.getField(part).schema();
        }
        return true;
    }

    static Schema unwrap(Schema s) {
        while (true) {
            if (s.getType() == Schema.Type.ARRAY) {
                s = s.getElementType();
            } else if (s.getType() == Schema.Type.UNION) {
                s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
            } else {
                return s;
            }
        }
    }
}
