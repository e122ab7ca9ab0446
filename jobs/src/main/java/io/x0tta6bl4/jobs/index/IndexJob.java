package io.x0tta6bl4.jobs.index;

import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.elasticsearch.ElasticsearchSettings;
import io.x0tta6bl4.connectors.elasticsearch.ElasticsearchSink;
import io.x0tta6bl4.connectors.elasticsearch.IndexDocument;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.jobs.common.JobConfig;
import io.x0tta6bl4.jobs.common.JobLauncher;
import io.x0tta6bl4.jobs.common.Pipelines;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Knowledge: every topic into Elasticsearch, at least once, with deterministic document ids.
 *
 * <pre>all x0 topics → ToIndexDocuments → ElasticsearchSink (bulk, retry with backoff, flush on checkpoint)</pre>
 */
public final class IndexJob {
    public static final String NAME = "index";

    private IndexJob() {}

    public static DataStream<IndexDocument> topology(DataStream<RawRecord> records, ElasticsearchSettings es, String topicPrefix) {
        return records.process(new ToIndexDocuments(es, topicPrefix), TypeInformation.of(IndexDocument.class))
                .name("index: to documents").uid("index-documents");
    }

    public static void addTo(StreamExecutionEnvironment env, JobConfig config) {
        DataStream<RawRecord> all = env.fromSource(
                        KafkaConnectors.source(config.kafka(), List.of(Topic.values()), config.groupId(NAME), Pipelines.startingOffsets(config)),
                        WatermarkStrategy.noWatermarks(), "index: all topics")
                .uid("index-source");
        ElasticsearchSettings es = config.elasticsearch();
        topology(all, es, config.get("topic.prefix"))
                .sinkTo(new ElasticsearchSink(es)).name("index: elasticsearch").uid("index-es-sink");
    }

    public static void main(String[] args) throws Exception {
        JobLauncher.run(args, "x0tta6bl4 IndexJob", "Indexes every topic into Elasticsearch for Kibana.", IndexJob::addTo);
    }
}
