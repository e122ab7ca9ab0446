package io.x0tta6bl4.jobs.index;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import io.x0tta6bl4.connectors.elasticsearch.AvroJson;
import io.x0tta6bl4.connectors.elasticsearch.ElasticsearchSettings;
import io.x0tta6bl4.connectors.elasticsearch.IndexDocument;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.CommandResult;
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.DeadLetter;
import io.x0tta6bl4.schema.Decision;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.NodeInfo;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.SignedCommand;
import io.x0tta6bl4.schema.TelemetryBatch;
import io.x0tta6bl4.connectors.command.CanonicalCommand;
import io.x0tta6bl4.connectors.command.CommandRejectedException;
import io.x0tta6bl4.schema.CommandBody;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Knowledge: turns a record of any topic into Elasticsearch documents with deterministic ids. Telemetry is
 * flattened to one document per sample (what Kibana charts want); commands are indexed with their decoded
 * body (the signatures are kept as key ids). A record that does not decode is indexed in the dead-letter
 * index with the reason and its bytes: analysts see bad input without another hop through Kafka.
 */
public class ToIndexDocuments extends ProcessFunction<RawRecord, IndexDocument> {
    private static final long serialVersionUID = 1L;

    private final ElasticsearchSettings es;
    private final String topicPrefix;
    private transient Map<String, Topic> topicsByName;
    private transient Map<Topic, AvroCodec<? extends SpecificRecord>> codecs;

    public ToIndexDocuments(ElasticsearchSettings es, String topicPrefix) {
        this.es = es;
        this.topicPrefix = topicPrefix;
    }

    @Override
    public void open(OpenContext context) {
        topicsByName = new HashMap<>();
        codecs = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            topicsByName.put(topic.name(topicPrefix), topic);
            codecs.put(topic, AvroCodec.of(topic.recordType()));
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<IndexDocument> out) {
        Topic topic = topicsByName.get(raw.topic);
        if (topic == null) {
            out.collect(undecodable(raw, "record from a topic IndexJob does not know"));
            return;
        }
        SpecificRecord record;
        try {
            record = codecs.get(topic).decode(raw.value);
        } catch (UndecodableRecordException e) {
            out.collect(undecodable(raw, e.getMessage()));
            return;
        }
        String index = es.index(topic.kind());
        switch (topic) {
            case TELEMETRY -> telemetry((TelemetryBatch) record, index, out);
            case ANOMALIES -> {
                Anomaly a = (Anomaly) record;
                out.collect(doc(index, a.getAnomalyId() + "|" + a.getPhase(), AvroJson.toJson(a),
                        a.getEndMs() != null ? a.getEndMs() : a.getStartMs()));
            }
            case INCIDENTS -> {
                Incident i = (Incident) record;
                // One document per incident (latest revision wins), so analysts count incidents, not updates.
                out.collect(doc(index, i.getIncidentId(), AvroJson.toJson(i), i.getUpdatedAtMs()));
            }
            case COMMANDS -> command((SignedCommand) record, index, raw, out);
            case RESULTS -> {
                CommandResult r = (CommandResult) record;
                out.collect(doc(index, r.getCommandId() + "|" + r.getNodeId(), AvroJson.toJson(r), r.getFinishedAtMs()));
            }
            case CONTROL -> {
                ControlRecord c = (ControlRecord) record;
                out.collect(doc(index, c.getSettingId() + "|" + c.getUpdatedAtMs(), AvroJson.toJson(c), c.getUpdatedAtMs()));
            }
            case DECISIONS -> {
                Decision d = (Decision) record;
                out.collect(doc(index, d.getDecisionId(), AvroJson.toJson(d), d.getAtMs()));
            }
            case INVENTORY -> {
                NodeInfo n = (NodeInfo) record;
                out.collect(doc(index, n.getNodeId(), AvroJson.toJson(n), n.getLastSeenMs())); // one document per node
            }
            case DEADLETTER -> {
                DeadLetter d = (DeadLetter) record;
                out.collect(doc(index, d.getStage() + "|" + d.getSourceTopic() + "|" + d.getPartition() + "|" + d.getOffset(),
                        AvroJson.toJson(d), d.getFailedAtMs()));
            }
        }
    }

    private void telemetry(TelemetryBatch batch, String index, Collector<IndexDocument> out) {
        int i = 0;
        com.fasterxml.jackson.databind.JsonNode nodeLabels = AvroJson.MAPPER.valueToTree(batch.getNodeLabels());
        for (MetricSample sample : batch.getSamples()) {
            ObjectNode json = AvroJson.toJson(sample);
            json.put("nodeId", batch.getNodeId());
            json.put("timestampMs", batch.getTimestampMs());
            json.put("sequence", batch.getSequence());
            json.set("nodeLabels", nodeLabels.deepCopy());
            out.collect(doc(index, batch.getNodeId() + "|" + batch.getSequence() + "|" + i++, json, batch.getTimestampMs()));
        }
    }

    private void command(SignedCommand command, String index, RawRecord raw, Collector<IndexDocument> out) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        json.put("commandId", command.getCommandId());
        json.put("targetNodeId", command.getTargetNodeId());
        json.set("signatures", AvroJson.MAPPER.valueToTree(command.getSignatures().stream()
                .map(s -> Map.of("algorithm", s.getAlgorithm(), "keyId", s.getKeyId())).toList()));
        long time;
        if (command.getSealed() != null) {
            // Encrypted to its target agent: the index records that it exists, never what it says.
            json.put("sealed", true);
            json.put("kemKeyId", command.getSealed().getKemKeyId());
            out.collect(doc(index, command.getCommandId(), json, raw.timestamp));
            return;
        }
        try {
            CommandBody body = CanonicalCommand.decode(command.getBody());
            json.set("body", AvroJson.toJson(body));
            time = body.getIssuedAtMs();
        } catch (CommandRejectedException e) {
            json.put("bodyError", e.getMessage());
            time = raw.timestamp;
        }
        out.collect(doc(index, command.getCommandId(), json, time));
    }

    private IndexDocument undecodable(RawRecord raw, String reason) {
        ObjectNode json = AvroJson.MAPPER.createObjectNode();
        json.put("stage", "index");
        json.put("sourceTopic", raw.topic);
        json.put("partition", raw.partition);
        json.put("offset", raw.offset);
        json.put("reason", reason);
        json.put("payload", Base64.getEncoder().encodeToString(raw.value == null ? new byte[0] : raw.value));
        return doc(es.index("deadletter"), "index|" + raw.topic + "|" + raw.partition + "|" + raw.offset, json, raw.timestamp);
    }

    private static IndexDocument doc(String index, String id, ObjectNode json, long timeMs) {
        json.put("@timestamp", Instant.ofEpochMilli(timeMs).toString());
        return new IndexDocument(index, id, AvroJson.toString(json));
    }

}
