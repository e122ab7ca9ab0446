package io.x0tta6bl4.connectors.elasticsearch;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * At-least-once Elasticsearch sink (Flink Sink v2). Documents are bulk-indexed; every checkpoint flushes
 * the buffer and waits until Elasticsearch has acknowledged it, so a checkpoint never covers a document
 * that is not stored. While Elasticsearch is away the writer retries with backoff (and back-pressures the
 * job) instead of dropping. Ids are deterministic, so replays overwrite.
 */
public final class ElasticsearchSink implements Sink<IndexDocument> {
    private static final long serialVersionUID = 1L;

    private final ElasticsearchSettings settings;

    public ElasticsearchSink(ElasticsearchSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<IndexDocument> createWriter(WriterInitContext context) {
        return new ElasticsearchSinkWriter(settings, new BulkIndexer(settings), context.getProcessingTimeService());
    }
}
